<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="es">
<context>
    <name>NudgePlugin</name>
    <message>
        <source>Nudge</source>
        <translation>Zumbido</translation>
    </message>
    <message>
        <source>You nudged your contact at %1</source>
        <translation>Le mandaste un zumbido a tu contacto a las %1</translation>
    </message>
    <message>
        <source>Nudge failed: %1</source>
        <translation>No se pudo mandar el zumbido: %1</translation>
    </message>
    <message>
        <source>%1 nudged you at %2</source>
        <translation>%1 te mandó un zumbido a las %2</translation>
    </message>
</context>
</TS>

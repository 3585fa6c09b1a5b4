<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="es">
<context>
    <name>QObject</name>
    <message>
        <source>System default</source>
        <translation>Predeterminado del sistema</translation>
    </message>
    <message>
        <source>None</source>
        <translation>Ninguno</translation>
    </message>
    <message>
        <source>%1 (not available)</source>
        <translation>%1 (no disponible)</translation>
    </message>
</context>
<context>
    <name>charla::audio::AudioCallPanel</name>
    <message>
        <source>Mute</source>
        <translation>Silenciar</translation>
    </message>
    <message>
        <source>Mute the microphone</source>
        <translation>Silenciar el micrófono</translation>
    </message>
    <message>
        <source>Microphone level</source>
        <translation>Nivel del micrófono</translation>
    </message>
    <message>
        <source>Unmute</source>
        <translation>Activar micrófono</translation>
    </message>
    <message>
        <source>Jitter delay %1 ms · loss %2 % · sending %3</source>
        <translation>Retardo de jitter %1 ms · pérdida %2 % · enviando %3</translation>
    </message>
    <message>
        <source>Jitter delay %1 ms · loss %2 %</source>
        <translation>Retardo de jitter %1 ms · pérdida %2 %</translation>
    </message>
    <message>
        <source>Sending %1</source>
        <translation>Enviando %1</translation>
    </message>
</context>
<context>
    <name>charla::audio::AudioSettingsPage</name>
    <message>
        <source>Echo cancellation and noise suppression</source>
        <translation>Cancelación de eco y supresión de ruido</translation>
    </message>
    <message>
        <source>Microphone:</source>
        <translation>Micrófono:</translation>
    </message>
    <message>
        <source>Speaker:</source>
        <translation>Bocina:</translation>
    </message>
    <message>
        <source>Device changes apply the next time audio starts.</source>
        <translation>Los cambios de dispositivo se aplican la próxima vez que empiece el audio.</translation>
    </message>
</context>
<context>
    <name>charla::audio::AudioStatusPanel</name>
    <message>
        <source>No microphone or speaker found: calls have no sound on this computer.</source>
        <translation>No se encontró micrófono ni bocina: en esta computadora las llamadas no tienen sonido.</translation>
    </message>
    <message>
        <source>No microphone found: in calls you can listen but not speak.</source>
        <translation>No se encontró micrófono: en las llamadas puedes escuchar, pero no hablar.</translation>
    </message>
    <message>
        <source>No speaker found: in calls you can speak but not hear.</source>
        <translation>No se encontró bocina: en las llamadas puedes hablar, pero no escuchar.</translation>
    </message>
    <message>
        <source>Hide this message</source>
        <translation>Ocultar este mensaje</translation>
    </message>
    <message>
        <source>Hide the sound device message</source>
        <translation>Ocultar el mensaje de los dispositivos de sonido</translation>
    </message>
</context>
</TS>

<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="es">
<context>
    <name>charla::text::MessageFormat</name>
    <message>
        <source>Queued — %1 is offline</source>
        <translation>En cola — %1 está desconectado</translation>
    </message>
    <message>
        <source>sending…</source>
        <translation>enviando…</translation>
    </message>
    <message>
        <source>✓ delivered</source>
        <translation>✓ entregado</translation>
    </message>
    <message>
        <source>not delivered yet — will retry</source>
        <translation>aún sin entregar — se reintentará</translation>
    </message>
    <message>
        <source>✗ failed: %1</source>
        <translation>✗ falló: %1</translation>
    </message>
    <message>
        <source>Last attempt failed: %1</source>
        <translation>El último intento falló: %1</translation>
    </message>
    <message>
        <source>Retry</source>
        <translation>Reintentar</translation>
    </message>
    <message>
        <source>Retry now</source>
        <translation>Reintentar ahora</translation>
    </message>
    <message>
        <source>Today</source>
        <translation>Hoy</translation>
    </message>
    <message>
        <source>Yesterday</source>
        <translation>Ayer</translation>
    </message>
    <message numerus="yes">
        <source>%n older message(s) not shown: Ctrl+F searches the whole history</source>
        <translation>
            <numerusform>%n mensaje anterior no se muestra: Ctrl+F busca en todo el historial</numerusform>
            <numerusform>%n mensajes anteriores no se muestran: Ctrl+F busca en todo el historial</numerusform>
        </translation>
    </message>
    <message>
        <source>— New messages —</source>
        <translation>— Mensajes nuevos —</translation>
    </message>
    <message numerus="yes">
        <source>%n newer message(s) below: “Jump to latest” shows them</source>
        <translation>
            <numerusform>%n mensaje más reciente abajo: «↓ Mensajes nuevos» lo muestra</numerusform>
            <numerusform>%n mensajes más recientes abajo: «↓ Mensajes nuevos» los muestra</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation>%1 s</translation>
    </message>
    <message>
        <source>%1 min</source>
        <translation>%1 min</translation>
    </message>
    <message>
        <source>%1 h %2 min</source>
        <translation>%1 h %2 min</translation>
    </message>
    <message>
        <source>Call · %1</source>
        <translation>Llamada · %1</translation>
    </message>
    <message>
        <source>Missed call</source>
        <translation>Llamada perdida</translation>
    </message>
    <message>
        <source>Call declined</source>
        <translation>Llamada rechazada</translation>
    </message>
    <message>
        <source>%1 declined the call</source>
        <translation>%1 rechazó la llamada</translation>
    </message>
    <message>
        <source>Call cancelled</source>
        <translation>Llamada cancelada</translation>
    </message>
    <message>
        <source>No answer</source>
        <translation>Sin respuesta</translation>
    </message>
    <message>
        <source>Call failed</source>
        <translation>La llamada falló</translation>
    </message>
    <message>
        <source>Call</source>
        <translation>Llamada</translation>
    </message>
</context>
<context>
    <name>charla::text::TextChat</name>
    <message>
        <source>Contact</source>
        <translation>Contacto</translation>
    </message>
    <message>
        <source>the message could not be saved (%1)</source>
        <translation>no se pudo guardar el mensaje (%1)</translation>
    </message>
</context>
<context>
    <name>charla::text::TextPanel</name>
    <message>
        <source>Send</source>
        <translation>Enviar</translation>
    </message>
    <message>
        <source>Conversation</source>
        <translation>Conversación</translation>
    </message>
    <message>
        <source>Message to send</source>
        <translation>Mensaje para enviar</translation>
    </message>
    <message>
        <source>↓ New messages</source>
        <translation>↓ Mensajes nuevos</translation>
    </message>
    <message>
        <source>Jump to the latest message</source>
        <translation>Ir al último mensaje</translation>
    </message>
    <message>
        <source>Write a message (Enter sends, Shift+Enter for a new line)</source>
        <translation>Escribe un mensaje (Intro envía, Mayús+Intro para una línea nueva)</translation>
    </message>
    <message>
        <source>Search the whole conversation</source>
        <translation>Buscar en toda la conversación</translation>
    </message>
    <message>
        <source>Search the conversation</source>
        <translation>Buscar en la conversación</translation>
    </message>
    <message>
        <source>Older result (Enter)</source>
        <translation>Resultado anterior (Intro)</translation>
    </message>
    <message>
        <source>Newer result (Shift+Enter)</source>
        <translation>Resultado siguiente (Mayús+Intro)</translation>
    </message>
    <message>
        <source>Close the search (Esc)</source>
        <translation>Cerrar la búsqueda (Esc)</translation>
    </message>
    <message>
        <source>No results</source>
        <translation>Sin resultados</translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation>%1 de %2</translation>
    </message>
</context>
</TS>

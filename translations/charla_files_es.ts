<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="es">
<context>
    <name>charla::files::FilesPanel</name>
    <message>
        <source>Contact</source>
        <translation>Contacto</translation>
    </message>
    <message>
        <source>Send file…</source>
        <translation>Enviar archivo…</translation>
    </message>
    <message>
        <source>Drop files on this window to send them</source>
        <translation>Suelta archivos en esta ventana para enviarlos</translation>
    </message>
    <message>
        <source>File transfers</source>
        <translation>Transferencias de archivos</translation>
    </message>
    <message numerus="yes">
        <source>%n file(s) offered</source>
        <translation>
            <numerusform>%n archivo ofrecido</numerusform>
            <numerusform>%n archivos ofrecidos</numerusform>
        </translation>
    </message>
    <message>
        <source>Send files</source>
        <translation>Enviar archivos</translation>
    </message>
</context>
<context>
    <name>charla::files::FilesSettingsPage</name>
    <message>
        <source>never (always ask)</source>
        <translation>nunca (preguntar siempre)</translation>
    </message>
    <message>
        <source>Accept files automatically up to</source>
        <translation>Aceptar archivos automáticamente hasta</translation>
    </message>
    <message>
        <source>Larger files wait for Accept or Decline. Files are checked (SHA-256) before they appear under their name.</source>
        <translation>Los archivos más grandes esperan a que elijas Aceptar o Rechazar. Los archivos se comprueban (SHA-256) antes de aparecer con su nombre.</translation>
    </message>
</context>
<context>
    <name>charla::files::TransferRow</name>
    <message>
        <source>Open</source>
        <translation>Abrir</translation>
    </message>
    <message>
        <source>Accept</source>
        <translation>Aceptar</translation>
    </message>
    <message>
        <source>Decline</source>
        <translation>Rechazar</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>Pausar</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Cancelar</translation>
    </message>
    <message>
        <source>From %1: %2</source>
        <translation>De %1: %2</translation>
    </message>
    <message>
        <source>To %1: %2</source>
        <translation>Para %1: %2</translation>
    </message>
    <message>
        <source>checking the file…</source>
        <translation>comprobando el archivo…</translation>
    </message>
    <message>
        <source>waiting for the contact</source>
        <translation>esperando al contacto</translation>
    </message>
    <message>
        <source>offered: accept?</source>
        <translation>te lo ofrecen: ¿aceptar?</translation>
    </message>
    <message>
        <source>offered, waiting for an answer</source>
        <translation>ofrecido, esperando respuesta</translation>
    </message>
    <message>
        <source>%1 % · %2/s · %3 left</source>
        <translation>%1 % · %2/s · faltan %3</translation>
    </message>
    <message>
        <source>%1 %</source>
        <translation>%1 %</translation>
    </message>
    <message>
        <source>paused (%1)</source>
        <translation>en pausa (%1)</translation>
    </message>
    <message>
        <source>received</source>
        <translation>recibido</translation>
    </message>
    <message>
        <source>delivered</source>
        <translation>entregado</translation>
    </message>
    <message>
        <source>declined</source>
        <translation>rechazado</translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation>cancelado</translation>
    </message>
    <message>
        <source>failed: %1</source>
        <translation>falló: %1</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>Reanudar</translation>
    </message>
</context>
<context>
    <name>charla::files::TransferTimeline</name>
    <message>
        <source>📎 %1 · %2 — received</source>
        <translation>📎 %1 · %2 — recibido</translation>
    </message>
    <message>
        <source>📎 %1 · %2 — sent</source>
        <translation>📎 %1 · %2 — enviado</translation>
    </message>
    <message>
        <source>📎 %1 · %2 — declined</source>
        <translation>📎 %1 · %2 — rechazado</translation>
    </message>
    <message>
        <source>📎 %1 · %2 — cancelled</source>
        <translation>📎 %1 · %2 — cancelado</translation>
    </message>
    <message>
        <source>📎 %1 · %2 — failed: %3</source>
        <translation>📎 %1 · %2 — falló: %3</translation>
    </message>
    <message>
        <source>📎 %1 · %2 — offered</source>
        <translation>📎 %1 · %2 — ofrecido</translation>
    </message>
</context>
</TS>

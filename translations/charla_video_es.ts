<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="es">
<context>
    <name>charla::video::VideoCallPanel</name>
    <message>
        <source>Camera off</source>
        <translation>Cámara apagada</translation>
    </message>
    <message>
        <source>Self-view</source>
        <translation>Vista propia</translation>
    </message>
    <message>
        <source>Share screen</source>
        <translation>Compartir pantalla</translation>
    </message>
    <message>
        <source>The contact sees your screen</source>
        <translation>El contacto ve tu pantalla</translation>
    </message>
    <message>
        <source>Show your screen instead of the camera</source>
        <translation>Mostrar tu pantalla en lugar de la cámara</translation>
    </message>
    <message>
        <source>Stop sharing</source>
        <translation>Dejar de compartir</translation>
    </message>
    <message>
        <source>%1 (target %2 kbps)</source>
        <translation>%1 (objetivo %2 kbps)</translation>
    </message>
    <message>
        <source>In: %1   Out: %2</source>
        <translation>Entrada: %1   Salida: %2</translation>
    </message>
    <message>
        <source>The contact turned the camera off</source>
        <translation>El contacto apagó la cámara</translation>
    </message>
    <message>
        <source>The contact has no working camera</source>
        <translation>El contacto no tiene una cámara que funcione</translation>
    </message>
    <message>
        <source>Waiting for the contact&apos;s video...</source>
        <translation>Esperando el video del contacto…</translation>
    </message>
    <message>
        <source>No camera</source>
        <translation>Sin cámara</translation>
    </message>
    <message>
        <source>Camera lost, retrying...</source>
        <translation>Se perdió la cámara, reintentando…</translation>
    </message>
    <message>
        <source>Starting camera...</source>
        <translation>Encendiendo la cámara…</translation>
    </message>
    <message>
        <source>Turn camera off</source>
        <translation>Apagar cámara</translation>
    </message>
    <message>
        <source>Turn camera on</source>
        <translation>Encender cámara</translation>
    </message>
    <message>
        <source>No camera could be opened</source>
        <translation>No se pudo abrir ninguna cámara</translation>
    </message>
    <message>
        <source>Your camera is on</source>
        <translation>Tu cámara está encendida</translation>
    </message>
    <message>
        <source>Your camera is off</source>
        <translation>Tu cámara está apagada</translation>
    </message>
</context>
<context>
    <name>charla::video::VideoPlugin</name>
    <message>
        <source>Sending from %1.</source>
        <translation>Enviando desde %1.</translation>
    </message>
    <message>
        <source>Receive-only: %1.</source>
        <translation>Solo recepción: %1.</translation>
    </message>
    <message>
        <source>Receive-only.</source>
        <translation>Solo recepción.</translation>
    </message>
</context>
<context>
    <name>charla::video::VideoSettingsPage</name>
    <message>
        <source>Camera on (send my video in calls)</source>
        <translation>Cámara encendida (enviar mi video en las llamadas)</translation>
    </message>
    <message>
        <source>Show self-view</source>
        <translation>Mostrar vista propia</translation>
    </message>
    <message>
        <source>Source:</source>
        <translation>Fuente:</translation>
    </message>
    <message>
        <source>For this run --camera %1 replaces the source.</source>
        <translation>En esta ejecución, --camera %1 reemplaza la fuente.</translation>
    </message>
    <message>
        <source>Resolution:</source>
        <translation>Resolución:</translation>
    </message>
    <message>
        <source>Frame rate:</source>
        <translation>Cuadros por segundo:</translation>
    </message>
    <message>
        <source>JPEG quality:</source>
        <translation>Calidad JPEG:</translation>
    </message>
    <message>
        <source>Video file…</source>
        <translation>Archivo de video…</translation>
    </message>
    <message>
        <source>Video file</source>
        <translation>Archivo de video</translation>
    </message>
    <message>
        <source>Videos (*.avi *.mp4 *.mkv *.webm *.mov *.ogv *.mpg);;All files (*)</source>
        <translation>Videos (*.avi *.mp4 *.mkv *.webm *.mov *.ogv *.mpg);;Todos los archivos (*)</translation>
    </message>
    <message>
        <source>Test pattern</source>
        <translation>Patrón de prueba</translation>
    </message>
    <message>
        <source>Screen</source>
        <translation>Pantalla</translation>
    </message>
    <message>
        <source>No video</source>
        <translation>Sin video</translation>
    </message>
    <message>
        <source>A camera (this computer&apos;s are listed), a video file, a GStreamer pipeline ending in appsink, the built-in test pattern, the screen, or no video</source>
        <translation>Una cámara (se muestran las de esta computadora), un archivo de video, una canalización de GStreamer que termine en appsink, el patrón de prueba integrado, la pantalla o sin video</translation>
    </message>
</context>
</TS>

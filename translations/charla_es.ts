<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="es">
<context>
    <name>charla::app::Application</name>
    <message>
        <source>Unknown host &apos;%1&apos;: %2</source>
        <translation>Equipo desconocido «%1»: %2</translation>
    </message>
    <message>
        <source>it has no IPv4 address</source>
        <translation>no tiene dirección IPv4</translation>
    </message>
    <message>
        <source>In local mode the contact runs on this computer: use localhost, not &apos;%1&apos;.</source>
        <translation>En modo local el contacto está en esta computadora: usa localhost, no «%1».</translation>
    </message>
    <message>
        <source>%1 on %2:%3</source>
        <translation>%1 en %2:%3</translation>
    </message>
    <message>
        <source>General</source>
        <translation>General</translation>
    </message>
    <message>
        <source>your contact</source>
        <translation>tu contacto</translation>
    </message>
    <message>
        <source>Incoming call</source>
        <translation>Llamada entrante</translation>
    </message>
    <message>
        <source>%1 is calling you</source>
        <translation>%1 te está llamando</translation>
    </message>
</context>
<context>
    <name>charla::gui::CallWindow</name>
    <message>
        <source>No media plugin is enabled. Enable audio or video in Plugins…</source>
        <translation>No hay ningún complemento de audio o video activado. Actívalos en Complementos…</translation>
    </message>
    <message>
        <source>Safety number…</source>
        <translation>Número de seguridad…</translation>
    </message>
    <message>
        <source>Close window</source>
        <translation>Cerrar ventana</translation>
    </message>
    <message>
        <source>Quit Charla</source>
        <translation>Salir de Charla</translation>
    </message>
    <message>
        <source>Hang up</source>
        <translation>Colgar</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Cancelar</translation>
    </message>
    <message>
        <source>Calling %1…</source>
        <translation>Llamando a %1…</translation>
    </message>
    <message>
        <source>%1 is calling</source>
        <translation>%1 te está llamando</translation>
    </message>
    <message>
        <source>In call with %1 · %2:%3</source>
        <translation>En llamada con %1 · %2:%3</translation>
    </message>
    <message>
        <source>Call ended</source>
        <translation>Llamada terminada</translation>
    </message>
    <message>
        <source>Charla — call with %1</source>
        <translation>Charla — llamada con %1</translation>
    </message>
</context>
<context>
    <name>charla::gui::ChatWindow</name>
    <message>
        <source>Call</source>
        <translation>Llamar</translation>
    </message>
    <message>
        <source>Plugins…</source>
        <translation>Complementos…</translation>
    </message>
    <message>
        <source>Safety number…</source>
        <translation>Número de seguridad…</translation>
    </message>
    <message>
        <source>Settings…</source>
        <translation>Configuración…</translation>
    </message>
    <message>
        <source>Accept the new key…</source>
        <translation>Aceptar la nueva clave…</translation>
    </message>
    <message>
        <source>No plugin is enabled. Open Plugins… to enable text chat.</source>
        <translation>No hay ningún complemento activado. Abre Complementos… para activar el chat de texto.</translation>
    </message>
    <message>
        <source>You are %1</source>
        <translation>Eres %1</translation>
    </message>
    <message>
        <source>Close window</source>
        <translation>Cerrar ventana</translation>
    </message>
    <message>
        <source>Quit Charla</source>
        <translation>Salir de Charla</translation>
    </message>
    <message>
        <source>⚠ not encrypted</source>
        <translation>⚠ sin cifrar</translation>
    </message>
    <message>
        <source>--allow-plaintext: everything to and from this contact crosses the network readable by anyone on the way.</source>
        <translation>--allow-plaintext: todo lo que envías y recibes de este contacto cruza la red y cualquiera en el camino puede leerlo.</translation>
    </message>
    <message>
        <source>✔ verified</source>
        <translation>✔ verificado</translation>
    </message>
    <message>
        <source>Encrypted; you compared the safety number with the contact.</source>
        <translation>Cifrado; comparaste el número de seguridad con el contacto.</translation>
    </message>
    <message>
        <source>encrypted</source>
        <translation>cifrado</translation>
    </message>
    <message>
        <source>Encrypted, not verified yet: compare the safety number.</source>
        <translation>Cifrado, aún sin verificar: compara el número de seguridad.</translation>
    </message>
    <message>
        <source>The contact</source>
        <translation>El contacto</translation>
    </message>
    <message>
        <source>&lt;b&gt;⚠ %1&apos;s key has CHANGED.&lt;/b&gt; Someone may be between you (a man-in-the-middle), or %1 reinstalled Charla. Charla refuses to talk to this key. Ask %1 another way (in person, by phone) before you accept it.</source>
        <translation>&lt;b&gt;⚠ La clave de %1 CAMBIÓ.&lt;/b&gt; Puede haber alguien entre ustedes (un ataque de intermediario) o %1 reinstaló Charla. Charla se niega a hablar con esta clave. Pregúntale a %1 por otro medio (en persona, por teléfono) antes de aceptarla.</translation>
    </message>
    <message>
        <source>the contact</source>
        <translation>el contacto</translation>
    </message>
    <message>
        <source>Accept the new key?</source>
        <translation>¿Aceptar la nueva clave?</translation>
    </message>
    <message>
        <source>Only accept %1&apos;s new key if you know why it changed (a reinstall) and the safety number below is the one %1&apos;s Charla shows. If it is an attacker&apos;s key, they will read everything.

Safety number with the new key:
%2</source>
        <translation>Acepta la nueva clave de %1 solo si sabes por qué cambió (una reinstalación) y el número de seguridad de abajo es el que muestra el Charla de %1. Si es la clave de un atacante, podrá leerlo todo.

Número de seguridad con la nueva clave:
%2</translation>
    </message>
    <message>
        <source>Accept the new key</source>
        <translation>Aceptar la nueva clave</translation>
    </message>
    <message>
        <source>Cannot accept the key</source>
        <translation>No se puede aceptar la clave</translation>
    </message>
    <message>
        <source>your contact</source>
        <translation>tu contacto</translation>
    </message>
    <message>
        <source>Cannot mark as verified</source>
        <translation>No se puede marcar como verificado</translation>
    </message>
    <message>
        <source>&lt;b&gt;%1&lt;/b&gt; stopped working: %2</source>
        <translation>&lt;b&gt;%1&lt;/b&gt; dejó de funcionar: %2</translation>
    </message>
    <message>
        <source>Open Plugins… to try again.</source>
        <translation>Abre Complementos… para volver a intentarlo.</translation>
    </message>
    <message>
        <source>Contact</source>
        <translation>Contacto</translation>
    </message>
    <message>
        <source>&lt;b&gt;%1&lt;/b&gt;</source>
        <translation>&lt;b&gt;%1&lt;/b&gt;</translation>
    </message>
    <message>
        <source>%1 at %2</source>
        <translation>%1 en %2</translation>
    </message>
    <message>
        <source>● online</source>
        <translation>● conectado</translation>
    </message>
    <message>
        <source>○ offline</source>
        <translation>○ desconectado</translation>
    </message>
    <message>
        <source>Call %1</source>
        <translation>Llamar a %1</translation>
    </message>
    <message>
        <source>%1 is offline</source>
        <translation>%1 está desconectado</translation>
    </message>
    <message>
        <source>Charla — %1</source>
        <translation>Charla — %1</translation>
    </message>
    <message>
        <source>(%1) %2</source>
        <translation>(%1) %2</translation>
    </message>
    <message>
        <source>⚠ key changed — not connected</source>
        <translation>⚠ la clave cambió — sin conexión</translation>
    </message>
    <message>
        <source>The contact presents another key than the one remembered: Charla refuses it until you accept it (below).</source>
        <translation>El contacto presenta una clave distinta de la que se recuerda: Charla la rechaza hasta que la aceptes (abajo).</translation>
    </message>
    <message>
        <source>✔ verified by the shared secret</source>
        <translation>✔ verificado por el secreto compartido</translation>
    </message>
    <message>
        <source>Encrypted; the contact proved it knows your shared secret over this encrypted link.</source>
        <translation>Cifrado; el contacto demostró que conoce el secreto que comparten por este enlace cifrado.</translation>
    </message>
</context>
<context>
    <name>charla::gui::GeneralSettingsPage</name>
    <message>
        <source>System</source>
        <translation>Como el sistema</translation>
    </message>
    <message>
        <source>&amp;Language:</source>
        <translation>&amp;Idioma:</translation>
    </message>
    <message>
        <source>Charla speaks the new language from its next start.</source>
        <translation>Charla usará el nuevo idioma la próxima vez que lo abras.</translation>
    </message>
    <message>
        <source>&amp;Minimise to tray on close</source>
        <translation>&amp;Minimizar a la bandeja al cerrar</translation>
    </message>
    <message>
        <source>Closing the window keeps Charla running in the tray; Ctrl+Q quits.</source>
        <translation>Al cerrar la ventana, Charla sigue abierto en la bandeja; Ctrl+Q lo cierra del todo.</translation>
    </message>
    <message>
        <source>This desktop has no tray.</source>
        <translation>Este escritorio no tiene bandeja del sistema.</translation>
    </message>
</context>
<context>
    <name>charla::gui::IncomingCallDialog</name>
    <message>
        <source>Incoming call</source>
        <translation>Llamada entrante</translation>
    </message>
    <message>
        <source>&lt;h3&gt;%1 is calling&lt;/h3&gt;</source>
        <translation>&lt;h3&gt;%1 te está llamando&lt;/h3&gt;</translation>
    </message>
    <message>
        <source>Accept</source>
        <translation>Contestar</translation>
    </message>
    <message>
        <source>Decline</source>
        <translation>Rechazar</translation>
    </message>
</context>
<context>
    <name>charla::gui::LoginWindow</name>
    <message>
        <source>Charla — local mode</source>
        <translation>Charla — modo local</translation>
    </message>
    <message>
        <source>Charla</source>
        <translation>Charla</translation>
    </message>
    <message>
        <source>&lt;h2&gt;Charla&lt;/h2&gt;</source>
        <translation>&lt;h2&gt;Charla&lt;/h2&gt;</translation>
    </message>
    <message>
        <source>Your &amp;name:</source>
        <translation>Tu &amp;nombre:</translation>
    </message>
    <message>
        <source>&amp;Your port:</source>
        <translation>&amp;Tu puerto:</translation>
    </message>
    <message>
        <source>&amp;Contact&apos;s port:</source>
        <translation>Puerto del &amp;contacto:</translation>
    </message>
    <message>
        <source>e.g. 192.168.1.20</source>
        <translation>p. ej. 192.168.1.20</translation>
    </message>
    <message>
        <source>&amp;Contact&apos;s IP address:</source>
        <translation>Dirección IP del &amp;contacto:</translation>
    </message>
    <message>
        <source>&amp;Port:</source>
        <translation>&amp;Puerto:</translation>
    </message>
    <message>
        <source>optional, the same on both sides</source>
        <translation>opcional, el mismo en los dos lados</translation>
    </message>
    <message>
        <source>With a shared secret, only someone who knows it can talk to you.</source>
        <translation>Con un secreto compartido, solo quien lo conozca puede hablar contigo.</translation>
    </message>
    <message>
        <source>Shared &amp;secret:</source>
        <translation>&amp;Secreto compartido:</translation>
    </message>
    <message>
        <source>C&amp;onnect</source>
        <translation>C&amp;onectar</translation>
    </message>
    <message>
        <source>Both instances run on this computer (127.0.0.1). Give each its own port, and the other&apos;s as the contact&apos;s port.</source>
        <translation>Las dos instancias corren en esta computadora (127.0.0.1). Dale a cada una su propio puerto y el de la otra como puerto del contacto.</translation>
    </message>
    <message>
        <source>Your addresses: &lt;b&gt;%1&lt;/b&gt;&lt;br&gt;Give one of them to your contact. Both sides use port %2.</source>
        <translation>Tus direcciones: &lt;b&gt;%1&lt;/b&gt;&lt;br&gt;Dale una de ellas a tu contacto. Los dos lados usan el puerto %2.</translation>
    </message>
    <message>
        <source>none found (no network?)</source>
        <translation>no se encontró ninguna (¿sin red?)</translation>
    </message>
    <message>
        <source>Connecting…</source>
        <translation>Conectando…</translation>
    </message>
    <message>
        <source>Please type your name.</source>
        <translation>Escribe tu nombre.</translation>
    </message>
    <message>
        <source>Your port: %1</source>
        <translation>Tu puerto: %1</translation>
    </message>
    <message>
        <source>Contact&apos;s port: %1</source>
        <translation>Puerto del contacto: %1</translation>
    </message>
    <message>
        <source>Your port and the contact&apos;s port must differ.</source>
        <translation>Tu puerto y el del contacto deben ser distintos.</translation>
    </message>
    <message>
        <source>Port: %1</source>
        <translation>Puerto: %1</translation>
    </message>
</context>
<context>
    <name>charla::gui::PluginsDialog</name>
    <message>
        <source>Plugins</source>
        <translation>Complementos</translation>
    </message>
    <message>
        <source>On</source>
        <translation>Activo</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Nombre</translation>
    </message>
    <message>
        <source>Id</source>
        <translation>Identificador</translation>
    </message>
    <message>
        <source>Version</source>
        <translation>Versión</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Estado</translation>
    </message>
    <message>
        <source>Sends / receives</source>
        <translation>Envía / recibe</translation>
    </message>
    <message>
        <source>Details</source>
        <translation>Detalles</translation>
    </message>
    <message>
        <source>Could not enable %1: %2</source>
        <translation>No se pudo activar %1: %2</translation>
    </message>
    <message>
        <source>sends %1 · receives %2</source>
        <translation>envía %1 · recibe %2</translation>
    </message>
    <message>
        <source>disabled</source>
        <translation>desactivado</translation>
    </message>
    <message>
        <source>enabled</source>
        <translation>activado</translation>
    </message>
    <message>
        <source>refused</source>
        <translation>rechazado</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>falló</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
</context>
<context>
    <name>charla::gui::SafetyNumberDialog</name>
    <message>
        <source>Safety number with %1</source>
        <translation>Número de seguridad con %1</translation>
    </message>
    <message>
        <source>Compare this number with the one %1&apos;s Charla shows, by voice or in person. If they are the same, no one sits between you.</source>
        <translation>Compara este número con el que muestra el Charla de %1, de viva voz o en persona. Si son iguales, no hay nadie entre ustedes.</translation>
    </message>
    <message>
        <source>Mark as verified</source>
        <translation>Marcar como verificado</translation>
    </message>
    <message>
        <source>✔ Verified: you compared this number.</source>
        <translation>✔ Verificado: comparaste este número.</translation>
    </message>
    <message>
        <source>Not verified yet.</source>
        <translation>Aún sin verificar.</translation>
    </message>
</context>
<context>
    <name>charla::gui::SettingsDialog</name>
    <message>
        <source>Settings</source>
        <translation>Configuración</translation>
    </message>
    <message>
        <source>No enabled plugin has settings.</source>
        <translation>Ningún complemento activado tiene configuración.</translation>
    </message>
</context>
<context>
    <name>charla::gui::TrayIcon</name>
    <message>
        <source>Show Charla</source>
        <translation>Mostrar Charla</translation>
    </message>
    <message>
        <source>Quit Charla</source>
        <translation>Salir de Charla</translation>
    </message>
    <message>
        <source>Charla</source>
        <translation>Charla</translation>
    </message>
    <message>
        <source>Charla — %1</source>
        <translation>Charla — %1</translation>
    </message>
    <message numerus="yes">
        <source>%1: %n unread message(s)</source>
        <translation>
            <numerusform>%1: %n mensaje sin leer</numerusform>
            <numerusform>%1: %n mensajes sin leer</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>charla::host::CallStateMachine</name>
    <message>
        <source>The contact is offline</source>
        <translation>El contacto está desconectado</translation>
    </message>
    <message>
        <source>Calling…</source>
        <translation>Llamando…</translation>
    </message>
    <message>
        <source>Call accepted</source>
        <translation>Llamada contestada</translation>
    </message>
    <message>
        <source>Call declined</source>
        <translation>Llamada rechazada</translation>
    </message>
    <message>
        <source>Call cancelled</source>
        <translation>Llamada cancelada</translation>
    </message>
    <message>
        <source>Call ended</source>
        <translation>Llamada terminada</translation>
    </message>
    <message>
        <source>The contact went offline</source>
        <translation>El contacto se desconectó</translation>
    </message>
    <message>
        <source>No answer</source>
        <translation>No contestó</translation>
    </message>
    <message>
        <source>Missed call</source>
        <translation>Llamada perdida</translation>
    </message>
    <message>
        <source>Could not call: %1</source>
        <translation>No se pudo llamar: %1</translation>
    </message>
    <message>
        <source>The call could not be connected: %1</source>
        <translation>No se pudo conectar la llamada: %1</translation>
    </message>
    <message>
        <source>The previous call was lost</source>
        <translation>Se perdió la llamada anterior</translation>
    </message>
    <message>
        <source>Incoming call</source>
        <translation>Llamada entrante</translation>
    </message>
    <message>
        <source>The contact declined the call</source>
        <translation>El contacto rechazó la llamada</translation>
    </message>
    <message>
        <source>The contact hung up</source>
        <translation>El contacto colgó</translation>
    </message>
</context>
<context>
    <name>charla::host::PeerLink</name>
    <message>
        <source>The contact refuses our address: it expects its contact at another IP address.</source>
        <translation>El contacto rechaza nuestra dirección: espera a su contacto en otra dirección IP.</translation>
    </message>
    <message>
        <source>The contact refuses our calls: the shared secrets differ (or only one of you set one), or someone between you relays the connection.</source>
        <translation>El contacto rechaza nuestras llamadas: los secretos compartidos no coinciden (o solo uno de ustedes puso uno), o alguien entre ustedes retransmite la conexión.</translation>
    </message>
    <message>
        <source>The contact&apos;s answers do not prove the shared secret: the secrets differ (or only one of you set one), or someone between you answers in its place. Nothing but presence checks is sent to it.</source>
        <translation>Las respuestas del contacto no demuestran el secreto compartido: los secretos no coinciden (o solo uno de ustedes puso uno), o alguien entre ustedes responde en su lugar. Solo se le envían comprobaciones de presencia.</translation>
    </message>
</context>
</TS>

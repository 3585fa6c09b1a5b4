<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en">
<context>
    <name>charla::gui::TrayIcon</name>
    <message numerus="yes">
        <source>%1: %n unread message(s)</source>
        <translation>
            <numerusform>%1: %n unread message</numerusform>
            <numerusform>%1: %n unread messages</numerusform>
        </translation>
    </message>
</context>
</TS>

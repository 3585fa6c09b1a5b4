<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en">
<context>
    <name>charla::text::MessageFormat</name>
    <message numerus="yes">
        <source>%n older message(s) not shown: Ctrl+F searches the whole history</source>
        <translation>
            <numerusform>%n older message not shown: Ctrl+F searches the whole history</numerusform>
            <numerusform>%n older messages not shown: Ctrl+F searches the whole history</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n newer message(s) below: “Jump to latest” shows them</source>
        <translation>
            <numerusform>%n newer message below: “Jump to latest” shows it</numerusform>
            <numerusform>%n newer messages below: “Jump to latest” shows them</numerusform>
        </translation>
    </message>
</context>
</TS>

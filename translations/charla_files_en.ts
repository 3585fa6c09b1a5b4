<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en">
<context>
    <name>charla::files::FilesPanel</name>
    <message numerus="yes">
        <source>%n file(s) offered</source>
        <translation>
            <numerusform>%n file offered</numerusform>
            <numerusform>%n files offered</numerusform>
        </translation>
    </message>
</context>
</TS>

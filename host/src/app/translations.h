// The language Charla speaks: the user's choice in Settings (QSettings "ui/language": "system",
// "en", "es"), and for "system" the desktop's (LANGUAGE, LC_ALL, LC_MESSAGES, LANG). The choice
// sets the default QLocale, so dates and numbers follow it and each plugin loads its own
// translation for it (charla/sdk/translator.h); the host's and Qt's own are installed here.
#pragma once

#include <QList>
#include <QLocale>
#include <QString>
#include <QTranslator>

namespace charla::app {

// The languages Charla ships, named in their own language (a Spanish speaker lost in an English
// window still finds "Español"): English first, the source language.
struct LanguageChoice {
    QString code; // "en", "es"
    QString nativeName;
};
QList<LanguageChoice> shippedLanguages();

// The locale a setting value stands for ("system", a shipped code; anything else: the system's).
QLocale localeFor(const QString& setting);

// Applies the saved choice while it lives and puts the previous default locale back when
// destroyed (tests build several Applications in one process).
class Translations {
public:
    Translations();
    ~Translations();
    Translations(const Translations&) = delete;
    Translations& operator=(const Translations&) = delete;

    // "es" when the host's Spanish is in use, "en" otherwise.
    QString language() const;

private:
    QLocale previous_;
    QTranslator qt_;   // Qt's own strings: OK, Cancel, Apply in standard dialogs
    QTranslator host_; // :/i18n/charla_<lang>.qm
    bool qtInstalled_ = false;
    bool hostInstalled_ = false;
};

} // namespace charla::app

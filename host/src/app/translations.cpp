#include "app/translations.h"

#include "core/logging.h"
#include "gui/general_settings_page.h"

#include <QCoreApplication>
#include <QLibraryInfo>
#include <QSettings>

namespace charla::app {

QList<LanguageChoice> shippedLanguages() {
    return {{QStringLiteral("en"), QStringLiteral("English")},
            {QStringLiteral("es"), QStringLiteral("Español")}};
}

QLocale localeFor(const QString& setting) {
    const QLocale system = QLocale::system();
    for (const LanguageChoice& choice : shippedLanguages())
        if (setting == choice.code) {
            // The language chosen, the territory the desktop says (es_MX stays Mexican; a
            // combination Qt does not know falls back to the language's main territory).
            const QLocale language(choice.code);
            return QLocale(language.language(), system.territory());
        }
    return system;
}

Translations::Translations() : previous_(QLocale()) {
    using Page = gui::GeneralSettingsPage;
    const QString setting =
        QSettings()
            .value(Page::kLanguageKey, QString::fromLatin1(Page::kSystemLanguage))
            .toString();
    const QLocale locale = localeFor(setting);
    QLocale::setDefault(locale);
    // A language we do not ship falls back to English, whose file holds the plural forms.
    const QString dir = QStringLiteral(":/i18n");
    if (host_.load(locale, QStringLiteral("charla"), QStringLiteral("_"), dir) ||
        host_.load(QStringLiteral("charla_en"), dir))
        hostInstalled_ = QCoreApplication::installTranslator(&host_);
    // Only with ours: an English Charla must not get Spanish "Cancelar" from Qt's files.
    if (language() != QLatin1String("en") &&
        qt_.load(locale, QStringLiteral("qtbase"), QStringLiteral("_"),
                 QLibraryInfo::path(QLibraryInfo::TranslationsPath)))
        qtInstalled_ = QCoreApplication::installTranslator(&qt_);
    qCInfo(lcGui).noquote() << "language" << language() << "(setting" << setting << ", locale"
                            << locale.name()
                            << (qtInstalled_ || !hostInstalled_ ? ")" : ", no Qt translation)");
}

Translations::~Translations() {
    if (qtInstalled_)
        QCoreApplication::removeTranslator(&qt_);
    if (hostInstalled_)
        QCoreApplication::removeTranslator(&host_);
    QLocale::setDefault(previous_);
}

QString Translations::language() const {
    return hostInstalled_ ? host_.language().section(u'_', 0, 0) : QStringLiteral("en");
}

} // namespace charla::app

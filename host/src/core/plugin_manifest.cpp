#include "core/plugin_manifest.h"

#include <charla/sdk/version.h>

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>

namespace charla::host {

namespace {

constexpr qint64 kMaxManifestBytes = 64 * 1024;

bool readStringList(const QJsonObject& o, const QString& key, QStringList* out, QString* error) {
    const QJsonValue v = o.value(key);
    if (!v.isArray()) {
        *error = QStringLiteral("'%1' must be an array of strings").arg(key);
        return false;
    }
    for (const QJsonValue& item : v.toArray()) {
        if (!item.isString()) {
            *error = QStringLiteral("'%1' must be an array of strings").arg(key);
            return false;
        }
        out->append(item.toString());
    }
    return true;
}

// "translations": {"es": {"name": "Voz", "description": "…"}, ...}: both fields optional strings.
bool readTranslations(const QJsonValue& v, QHash<QString, ManifestTexts>* out, QString* error) {
    static const QRegularExpression language(QStringLiteral("^[a-z]{2,3}(_[A-Z]{2})?$"));
    *error = QStringLiteral("'translations' must map language codes (\"es\", \"pt_BR\") to "
                            "objects of strings 'name' and 'description'");
    if (!v.isObject())
        return false;
    const QJsonObject languages = v.toObject();
    for (auto it = languages.begin(); it != languages.end(); ++it) {
        if (!language.match(it.key()).hasMatch() || !it.value().isObject())
            return false;
        const QJsonObject texts = it.value().toObject();
        for (const char* key : {"name", "description"})
            if (texts.contains(QLatin1String(key)) && !texts.value(QLatin1String(key)).isString())
                return false;
        out->insert(it.key(),
                    {texts.value("name").toString(), texts.value("description").toString()});
    }
    error->clear();
    return true;
}

// The manifest's texts for the locale: its full name ("pt_BR") first, then its language ("pt").
const ManifestTexts* textsFor(const QHash<QString, ManifestTexts>& translations,
                              const QLocale& locale) {
    for (const QString& code : {locale.name(), locale.name().section(u'_', 0, 0)}) {
        const auto it = translations.constFind(code);
        if (it != translations.constEnd())
            return &*it;
    }
    return nullptr;
}

} // namespace

QString PluginManifest::displayName(const QLocale& locale) const {
    const ManifestTexts* texts = textsFor(translations, locale);
    return texts && !texts->name.isEmpty() ? texts->name : name;
}

QString PluginManifest::displayDescription(const QLocale& locale) const {
    const ManifestTexts* texts = textsFor(translations, locale);
    return texts && !texts->description.isEmpty() ? texts->description : description;
}

ManifestResult readManifest(const QString& path) {
    ManifestResult result;
    result.manifest.manifestPath = path;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        result.error = QStringLiteral("cannot read manifest: %1").arg(file.errorString());
        return result;
    }
    if (file.size() > kMaxManifestBytes) {
        result.error = QStringLiteral("manifest is larger than %1 bytes").arg(kMaxManifestBytes);
        return result;
    }
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(file.readAll(), &parseError);
    if (doc.isNull()) {
        result.error = QStringLiteral("malformed manifest (%1 at offset %2)")
                           .arg(parseError.errorString())
                           .arg(parseError.offset);
        return result;
    }
    if (!doc.isObject()) {
        result.error = QStringLiteral("malformed manifest: not a JSON object");
        return result;
    }
    const QJsonObject o = doc.object();
    PluginManifest& m = result.manifest;
    for (const char* key : {"id", "name", "version", "sdk_abi", "qt", "library"}) {
        if (!o.value(QLatin1String(key)).isString() ||
            o.value(QLatin1String(key)).toString().isEmpty()) {
            result.error = QStringLiteral("manifest lacks the string '%1'").arg(QLatin1String(key));
            m.id = o.value("id").toString();
            return result;
        }
    }
    m.id = o.value("id").toString();
    if (!QRegularExpression("^[a-z][a-z0-9_]{0,31}$").match(m.id).hasMatch()) {
        result.error =
            QStringLiteral("invalid id '%1' (expected [a-z][a-z0-9_]*, at most 32)").arg(m.id);
        return result;
    }
    if (m.id == "host" || m.id == "system" || m.id == "call") {
        result.error = QStringLiteral("id '%1' is reserved for the host").arg(m.id);
        return result;
    }
    m.name = o.value("name").toString();
    m.version = o.value("version").toString();
    m.vendor = o.value("vendor").toString();
    m.description = o.value("description").toString();
    if (!readStringList(o, "sends", &m.sends, &result.error) ||
        !readStringList(o, "receives", &m.receives, &result.error))
        return result;
    if (o.contains("translations") &&
        !readTranslations(o.value("translations"), &m.translations, &result.error))
        return result;

    if (o.contains("options")) { // optional: command-line options the plugin understands
        if (!o.value("options").isArray()) {
            result.error = QStringLiteral("'options' must be an array");
            return result;
        }
        for (const QJsonValue& v : o.value("options").toArray()) {
            const QJsonObject opt = v.toObject();
            PluginCliOption cli{opt.value("name").toString(), opt.value("value").toString(),
                                opt.value("help").toString()};
            if (!QRegularExpression("^[a-z][a-z0-9-]{1,31}$").match(cli.name).hasMatch() ||
                cli.valueName.isEmpty()) {
                result.error = QStringLiteral("each option needs a 'name' ([a-z][a-z0-9-]+) and a "
                                              "'value' name");
                return result;
            }
            m.cliOptions.append(cli);
        }
    }

    const QRegularExpressionMatch abi =
        QRegularExpression("^(\\d+)\\.(\\d+)$").match(o.value("sdk_abi").toString());
    if (!abi.hasMatch()) {
        result.error = QStringLiteral("'sdk_abi' must look like \"1.0\"");
        return result;
    }
    m.abiMajor = abi.captured(1).toInt();
    m.abiMinor = abi.captured(2).toInt();
    m.qtVersion = o.value("qt").toString();
    if (!QRegularExpression("^\\d+\\.\\d+$").match(m.qtVersion).hasMatch()) {
        result.error = QStringLiteral("'qt' must look like \"6.4\"");
        return result;
    }
    const QString library = o.value("library").toString();
    if (library.contains('/') || library.startsWith('.')) {
        result.error = QStringLiteral("'library' must be a file name beside the manifest");
        return result;
    }
    m.library = QFileInfo(path).dir().filePath(library);
    if (!QFileInfo::exists(m.library)) {
        result.error = QStringLiteral("library %1 named by the manifest is missing").arg(library);
        return result;
    }
    return result;
}

QString incompatibility(const PluginManifest& m) {
    if (m.abiMajor != CHARLA_SDK_ABI_MAJOR)
        return QStringLiteral("built for SDK ABI %1.%2, this Charla needs ABI %3.x")
            .arg(m.abiMajor)
            .arg(m.abiMinor)
            .arg(CHARLA_SDK_ABI_MAJOR);
    if (m.abiMinor > CHARLA_SDK_ABI_MINOR)
        return QStringLiteral("built for SDK ABI %1.%2, newer than this Charla's %3.%4")
            .arg(m.abiMajor)
            .arg(m.abiMinor)
            .arg(CHARLA_SDK_ABI_MAJOR)
            .arg(CHARLA_SDK_ABI_MINOR);
    const QString hostQt = QStringLiteral("%1.%2").arg(QT_VERSION_MAJOR).arg(QT_VERSION_MINOR);
    if (m.qtVersion != hostQt)
        return QStringLiteral("built with Qt %1, this Charla uses Qt %2").arg(m.qtVersion, hostQt);
    return {};
}

} // namespace charla::host

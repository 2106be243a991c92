"""Flag emoji read as country names, in the language of the text around them.

A flag in a post carries meaning ("🇷🇺 Zapad will serve as…" is about Russia), so it is said
rather than dropped. English names come from the emoji package's CLDR names and cover every
flag; other languages have the countries news most often flags. A flag without a name in the
text's language is dropped, never read in another language.
"""

from __future__ import annotations

from polycast.plan.attribution import base_language

_COLUMNS = ("nl", "de", "fr", "es", "it", "ja")
# Region code: names in the languages of _COLUMNS, separated by "|".
_NAMES = {
    "AF": "Afghanistan|Afghanistan|Afghanistan|Afganistán|Afghanistan|アフガニスタン",
    "AR": "Argentinië|Argentinien|Argentine|Argentina|Argentina|アルゼンチン",
    "AT": "Oostenrijk|Österreich|Autriche|Austria|Austria|オーストリア",
    "AU": "Australië|Australien|Australie|Australia|Australia|オーストラリア",
    "BE": "België|Belgien|Belgique|Bélgica|Belgio|ベルギー",
    "BR": "Brazilië|Brasilien|Brésil|Brasil|Brasile|ブラジル",
    "BY": "Belarus|Belarus|Biélorussie|Bielorrusia|Bielorussia|ベラルーシ",
    "CA": "Canada|Kanada|Canada|Canadá|Canada|カナダ",
    "CH": "Zwitserland|Schweiz|Suisse|Suiza|Svizzera|スイス",
    "CN": "China|China|Chine|China|Cina|中国",
    "CZ": "Tsjechië|Tschechien|Tchéquie|Chequia|Cechia|チェコ",
    "DE": "Duitsland|Deutschland|Allemagne|Alemania|Germania|ドイツ",
    "DK": "Denemarken|Dänemark|Danemark|Dinamarca|Danimarca|デンマーク",
    "EE": "Estland|Estland|Estonie|Estonia|Estonia|エストニア",
    "EG": "Egypte|Ägypten|Égypte|Egipto|Egitto|エジプト",
    "ES": "Spanje|Spanien|Espagne|España|Spagna|スペイン",
    "EU": "Europese Unie|Europäische Union|Union européenne|Unión Europea|Unione europea|欧州連合",
    "FI": "Finland|Finnland|Finlande|Finlandia|Finlandia|フィンランド",
    "FR": "Frankrijk|Frankreich|France|Francia|Francia|フランス",
    "GB": "Verenigd Koninkrijk|Vereinigtes Königreich|Royaume-Uni|Reino Unido|Regno Unito|イギリス",
    "GE": "Georgië|Georgien|Géorgie|Georgia|Georgia|ジョージア",
    "GR": "Griekenland|Griechenland|Grèce|Grecia|Grecia|ギリシャ",
    "HU": "Hongarije|Ungarn|Hongrie|Hungría|Ungheria|ハンガリー",
    "ID": "Indonesië|Indonesien|Indonésie|Indonesia|Indonesia|インドネシア",
    "IE": "Ierland|Irland|Irlande|Irlanda|Irlanda|アイルランド",
    "IL": "Israël|Israel|Israël|Israel|Israele|イスラエル",
    "IN": "India|Indien|Inde|India|India|インド",
    "IQ": "Irak|Irak|Irak|Irak|Iraq|イラク",
    "IR": "Iran|Iran|Iran|Irán|Iran|イラン",
    "IT": "Italië|Italien|Italie|Italia|Italia|イタリア",
    "JP": "Japan|Japan|Japon|Japón|Giappone|日本",
    "KP": "Noord-Korea|Nordkorea|Corée du Nord|Corea del Norte|Corea del Nord|北朝鮮",
    "KR": "Zuid-Korea|Südkorea|Corée du Sud|Corea del Sur|Corea del Sud|韓国",
    "LT": "Litouwen|Litauen|Lituanie|Lituania|Lituania|リトアニア",
    "LU": "Luxemburg|Luxemburg|Luxembourg|Luxemburgo|Lussemburgo|ルクセンブルク",
    "LV": "Letland|Lettland|Lettonie|Letonia|Lettonia|ラトビア",
    "MA": "Marokko|Marokko|Maroc|Marruecos|Marocco|モロッコ",
    "MD": "Moldavië|Moldau|Moldavie|Moldavia|Moldavia|モルドバ",
    "MX": "Mexico|Mexiko|Mexique|México|Messico|メキシコ",
    "NL": "Nederland|Niederlande|Pays-Bas|Países Bajos|Paesi Bassi|オランダ",
    "NO": "Noorwegen|Norwegen|Norvège|Noruega|Norvegia|ノルウェー",
    "NZ": "Nieuw-Zeeland|Neuseeland|Nouvelle-Zélande|Nueva Zelanda|Nuova Zelanda|ニュージーランド",
    "PL": "Polen|Polen|Pologne|Polonia|Polonia|ポーランド",
    "PS": "Palestina|Palästina|Palestine|Palestina|Palestina|パレスチナ",
    "PT": "Portugal|Portugal|Portugal|Portugal|Portogallo|ポルトガル",
    "RO": "Roemenië|Rumänien|Roumanie|Rumania|Romania|ルーマニア",
    "RS": "Servië|Serbien|Serbie|Serbia|Serbia|セルビア",
    "RU": "Rusland|Russland|Russie|Rusia|Russia|ロシア",
    "SA": "Saoedi-Arabië|Saudi-Arabien|Arabie saoudite|Arabia Saudí|Arabia Saudita|サウジアラビア",
    "SE": "Zweden|Schweden|Suède|Suecia|Svezia|スウェーデン",
    "SR": "Suriname|Suriname|Suriname|Surinam|Suriname|スリナム",
    "SY": "Syrië|Syrien|Syrie|Siria|Siria|シリア",
    "TR": "Turkije|Türkei|Turquie|Turquía|Turchia|トルコ",
    "TW": "Taiwan|Taiwan|Taïwan|Taiwán|Taiwan|台湾",
    "UA": "Oekraïne|Ukraine|Ukraine|Ucrania|Ucraina|ウクライナ",
    "UN": "Verenigde Naties|Vereinte Nationen|Nations unies|Naciones Unidas|Nazioni Unite|国際連合",
    "US": "Verenigde Staten|Vereinigte Staaten|États-Unis|Estados Unidos|Stati Uniti|アメリカ",
    "VE": "Venezuela|Venezuela|Venezuela|Venezuela|Venezuela|ベネズエラ",
    "ZA": "Zuid-Afrika|Südafrika|Afrique du Sud|Sudáfrica|Sudafrica|南アフリカ",
}


def region(flag: str) -> str | None:
    """Return the region code of a flag emoji (🇷🇺 -> ``RU``), or None for anything else."""
    if len(flag) != 2 or not all(0x1F1E6 <= ord(c) <= 0x1F1FF for c in flag):
        return None
    return "".join(chr(ord(c) - 0x1F1E6 + ord("A")) for c in flag)


def country_name(flag: str, lang: str) -> str | None:
    """Name the country of a flag emoji in ``lang``, or None where no name is known.

    >>> country_name("🇷🇺", "nl"), country_name("🇷🇺", "en")
    ('Rusland', 'Russia')
    """
    import emoji  # noqa: PLC0415 (slow import, only when a flag is named)

    code = region(flag)
    if code is None:
        return None
    base = base_language(lang)
    if base == "en":
        cldr = emoji.EMOJI_DATA.get(flag, {}).get("en")
        return str(cldr).strip(":").replace("_", " ") if cldr else None
    if base not in _COLUMNS or code not in _NAMES:
        return None
    return _NAMES[code].split("|")[_COLUMNS.index(base)]

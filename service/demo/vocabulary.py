"""Words the demo data is made of: names with their accents, places, phone plans and the seeds' vocabulary.

Phone prefixes and area codes are chosen so that any completion to the plan's length is a valid number for
`phonenumbers` (checked by the generator tests), so every generated phone parses to E.164.
"""

from __future__ import annotations

from dataclasses import dataclass

from service.models.enums import WorkItemKind


@dataclass(frozen=True, slots=True)
class City:
    name: str
    postcodes: tuple[str, ...]
    region: str
    area_code: str  # landline prefix of the national significant number


@dataclass(frozen=True, slots=True)
class Locale:
    country: str
    currency: str
    language: str
    female_first_names: tuple[str, ...]
    male_first_names: tuple[str, ...]
    last_names: tuple[str, ...]
    female_last_names: tuple[str, ...]  # empty: the same as `last_names`
    titles: tuple[str, str]  # female, male
    company_words: tuple[str, ...]
    company_forms: tuple[str, ...]
    streets: tuple[str, ...]
    address_lines: tuple[str, ...]  # building, floor, flat
    cities: tuple[City, ...]
    mobile_prefixes: tuple[str, ...]
    mobile_length: int
    landline_length: int
    area_length: int  # 0: the prefix itself is the dialling area (German area codes vary in length)
    subscriber_groups: tuple[int, ...]  # how people group the digits after the area; the rest is the last group
    phone_formats: tuple[str, ...]  # "{}" per group: area, then the subscriber groups
    collectors: tuple[str, ...]
    email_domains: tuple[str, ...]
    notes: tuple[str, ...]


FRANCE = Locale(
    country="FR",
    currency="EUR",
    language="fr",
    female_first_names=("Élodie", "Hélène", "Amélie", "Maëlle", "Cécile", "Gaëlle", "Chloé", "Thérèse", "Françoise"),
    male_first_names=("François", "Jérôme", "Loïc", "Benoît", "Noé", "Raphaël", "Stéphane", "Joël", "Hervé"),
    last_names=(
        "Lefèvre",
        "Chevalier",
        "Dupont",
        "Bérard",
        "Gauthier",
        "Lemaître",
        "Fournier",
        "Mercier",
        "Rousseau",
        "Faure",
        "Noël",
        "Besançon",
        "Légaré",
        "Laforêt",
    ),
    female_last_names=(),
    titles=("Mme", "M."),
    company_words=("Transports", "Bâtiment", "Énergie", "Électricité", "Informatique", "Boulangerie", "Pâtisserie"),
    company_forms=("SARL", "SAS", "SA"),
    streets=(
        "rue de la Paix",
        "avenue Victor-Hugo",
        "boulevard Saint-Michel",
        "rue des Écoles",
        "place Bellecour",
        "chemin des Prés",
        "rue du Général-Leclerc",
        "allée des Châtaigniers",
    ),
    address_lines=("Bât. B", "Appt 12", "Résidence Les Érables", "BP 42"),
    cities=(
        City("Paris", ("75002", "75011", "75015", "75018"), "Île-de-France", "14"),
        City("Lyon", ("69002", "69003", "69007"), "Auvergne-Rhône-Alpes", "47"),
        City("Marseille", ("13001", "13008"), "Provence-Alpes-Côte d'Azur", "491"),
        City("Nantes", ("44000", "44100"), "Pays de la Loire", "240"),
        City("Besançon", ("25000",), "Bourgogne-Franche-Comté", "381"),
        City("Orléans", ("45000",), "Centre-Val de Loire", "238"),
        City("Bordeaux", ("33000", "33800"), "Nouvelle-Aquitaine", "556"),
    ),
    mobile_prefixes=("60", "61", "62", "64", "65", "66", "67", "68", "73", "75", "76", "77", "78"),
    mobile_length=9,
    landline_length=9,
    area_length=1,
    subscriber_groups=(2, 2, 2),
    phone_formats=(
        "0{} {} {} {} {}",
        "+33 {} {} {} {} {}",
        "0033{}{}{}{}{}",
        "0{}{}{}{}{}",
        "0{}.{}.{}.{}.{}",
        "+33{}{}{}{}{}",
        "+33 (0){} {} {} {} {}",
        "0{}-{}-{}-{}-{}",
    ),
    collectors=("Amélie Roux", "Grégoire Pétin", "Service recouvrement"),
    email_domains=("orange.example.fr", "free.example.fr", "laposte.example.net", "example.fr"),
    notes=(
        "Le client conteste une partie de la facture.",
        "Relance téléphonique : promesse de règlement sous huit jours.",
        "Client injoignable, message laissé sur le répondeur.",
        "Échéancier accordé en trois mensualités.",
    ),
)
CZECHIA = Locale(
    country="CZ",
    currency="CZK",
    language="cs",
    female_first_names=("Šárka", "Kateřina", "Zdeňka", "Markéta", "Dana", "Jiřina", "Lucie", "Božena"),
    male_first_names=("Jiří", "Tomáš", "Lukáš", "Přemysl", "Vojtěch", "Ondřej", "Radek", "Bořivoj"),
    last_names=("Dvořák", "Černý", "Procházka", "Kučera", "Svoboda", "Růžička", "Veselý", "Horák", "Němec", "Novák"),
    female_last_names=(
        "Dvořáková",
        "Černá",
        "Procházková",
        "Kučerová",
        "Svobodová",
        "Růžičková",
        "Veselá",
        "Horáková",
        "Němcová",
        "Novotná",
    ),
    titles=("Ing.", "Mgr."),
    company_words=("Stavby", "Logistika", "Zahradnictví", "Strojírna", "Pekárna", "Elektro", "Účetnictví"),
    company_forms=("s.r.o.", "a.s."),
    streets=("Václavské náměstí", "Národní třída", "Křižíkova", "Dlouhá", "Štefánikova", "Žitná", "Husova"),
    address_lines=("2. patro", "byt 14", "vchod B"),
    cities=(
        City("Praha", ("110 00", "120 00", "130 00", "160 00"), "Hlavní město Praha", "2"),
        City("Brno", ("602 00", "612 00"), "Jihomoravský kraj", "54"),
        City("Ostrava", ("702 00",), "Moravskoslezský kraj", "59"),
        City("Plzeň", ("301 00",), "Plzeňský kraj", "37"),
        City("České Budějovice", ("370 01",), "Jihočeský kraj", "38"),
    ),
    mobile_prefixes=("601", "602", "603", "604", "605", "606", "607", "608", "702", "720", "731", "736", "777", "776"),
    mobile_length=9,
    landline_length=9,
    area_length=3,
    subscriber_groups=(3,),
    phone_formats=(
        "+420 {} {} {}",
        "{}{}{}",
        "{} {} {}",
        "00420{}{}{}",
        "+420{}{}{}",
        "00420 {} {} {}",
        "+420 {}-{}-{}",
    ),
    collectors=("Jan Novák", "Petra Šimková", "Oddělení pohledávek"),
    email_domains=("seznam.example.cz", "email.example.cz", "example.cz"),
    notes=(
        "Zákazník slíbil zaplatit do konce měsíce.",
        "Zákazník nesouhlasí s vyúčtováním, žádá opravu faktury.",
        "Nedovolali jsme se, zkusíme to zítra.",
    ),
)
SPAIN = Locale(
    country="ES",
    currency="EUR",
    language="es",
    female_first_names=("Begoña", "María", "Lucía", "Nuria", "Sofía", "Inés", "Ainhoa", "Pilar"),
    male_first_names=("José", "Íñigo", "Ángel", "Jesús", "Andrés", "Martín", "Óscar", "Rubén"),
    last_names=(
        "Muñoz",
        "Núñez",
        "Peña",
        "García",
        "Fernández",
        "Ibáñez",
        "Martínez",
        "Sánchez",
        "Gómez",
        "Castaño",
        "Ordóñez",
    ),
    female_last_names=(),
    titles=("Sra.", "Sr."),
    company_words=("Construcciones", "Técnica", "Servicios", "Distribución", "Panadería", "Logística"),
    company_forms=("S.L.", "S.A."),
    streets=(
        "Calle Mayor",
        "Avenida de la Constitución",
        "Plaza de España",
        "Calle de Alcalá",
        "Paseo de Gràcia",
        "Calle de la Peña",
    ),
    address_lines=("Piso 3º B", "Escalera 2, 1º", "Bajo"),
    cities=(
        City("Madrid", ("28013", "28004", "28045"), "Comunidad de Madrid", "91"),
        City("Barcelona", ("08007", "08013"), "Cataluña", "93"),
        City("Sevilla", ("41004",), "Andalucía", "954"),
        City("A Coruña", ("15001",), "Galicia", "981"),
        City("Málaga", ("29015",), "Andalucía", "952"),
        City("València", ("46002",), "Comunitat Valenciana", "96"),
    ),
    mobile_prefixes=("60", "61", "62", "63", "64", "65", "66", "67", "68", "69", "71", "72"),
    mobile_length=9,
    landline_length=9,
    area_length=3,
    subscriber_groups=(2, 2),
    phone_formats=(
        "+34 {} {} {} {}",
        "{} {} {} {}",
        "{}{}{}{}",
        "0034{}{}{}{}",
        "+34{}{}{}{}",
        "+34 {}-{}-{}-{}",
        "{}.{}.{}.{}",
    ),
    collectors=("Lucía García", "Javier Ortíz", "Departamento de cobros"),
    email_domains=("correo.example.es", "telefonica.example.es", "example.es"),
    notes=(
        "El cliente solicita un plan de pagos.",
        "El cliente afirma que ya pagó la factura; pide el justificante.",
        "No contesta; se volverá a llamar el lunes.",
    ),
)
GERMANY = Locale(
    country="DE",
    currency="EUR",
    language="de",
    female_first_names=("Käthe", "Ursula", "Jana", "Anneliese", "Bärbel", "Dörte", "Gisela", "Hannelore"),
    male_first_names=("Jürgen", "Björn", "Jörg", "Sören", "Lukas", "Günther", "Uwe", "Maximilian"),
    last_names=(
        "Müller",
        "Groß",
        "Schäfer",
        "Weiß",
        "Köhler",
        "Schröder",
        "Krüger",
        "Bäcker",
        "Hoffmann",
        "Wagner",
        "Strauß",
    ),
    female_last_names=(),
    titles=("Frau", "Herr"),
    company_words=("Bäckerei", "Maschinenbau", "Lebensmittel", "Gebäudetechnik", "Möbelhaus", "Spedition"),
    company_forms=("GmbH", "AG", "KG", "GmbH & Co. KG"),
    streets=("Hauptstraße", "Königsallee", "Schloßstraße", "Bahnhofstraße", "Goethestraße", "Lindenstraße"),
    address_lines=("2. OG", "Hinterhaus", "Whg. 7"),
    cities=(
        City("Berlin", ("10115", "10178", "12043"), "Berlin", "30"),
        City("München", ("80331", "80469"), "Bayern", "89"),
        City("Köln", ("50667", "50823"), "Nordrhein-Westfalen", "221"),
        City("Düsseldorf", ("40213",), "Nordrhein-Westfalen", "211"),
        City("Nürnberg", ("90403",), "Bayern", "911"),
        City("Hamburg", ("20095", "22767"), "Hamburg", "40"),
    ),
    mobile_prefixes=("151", "152", "157", "160", "162", "170", "171", "172", "175", "176", "177", "179"),
    mobile_length=11,
    landline_length=10,
    area_length=0,
    subscriber_groups=(4,),
    phone_formats=(
        "(0{}) {}-{}",
        "+49 {} {}{}",
        "0{} {}{}",
        "0{}/{}{}",
        "0049{}{}{}",
        "+49 (0){} {}{}",
        "+49{}{}{}",
        "0{} {} {}",
    ),
    collectors=("Jonas Weber", "Sabine Jäger", "Forderungsmanagement"),
    email_domains=("web.example.de", "gmx.example.de", "t-online.example.de", "example.de"),
    notes=(
        "Kunde meldet eine Störung seit gestern Abend.",
        "Kunde bittet um Ratenzahlung, Rückruf zugesagt.",
        "Mahnung besprochen; Zahlung bis Monatsende zugesagt.",
    ),
)
LOCALES = (FRANCE, CZECHIA, SPAIN, GERMANY)

# (code, name, mandatory): a subscription always carries at least one mandatory service.
SERVICES = (
    ("BASIC", "Basic package", True),
    ("NET100", "Internet 100 Mbit/s", True),
    ("INSTALL", "Installation and activation", True),
    ("SUPPORT", "Premium support", False),
    ("HD", "HD channels", False),
    ("SPORT", "Sports pack", False),
    ("VOIP", "Home phone", False),
    ("CLOUD", "Cloud backup", False),
    ("MULTIROOM", "Multi-room", False),
)
MANDATORY_SERVICES = tuple(s for s in SERVICES if s[2])
OPTIONAL_SERVICES = tuple(s for s in SERVICES if not s[2])
# (product, serial prefix)
PRODUCTS = (
    ("Set-top box X200", "STB"),
    ("Smart card reader", "SCR"),
    ("Fibre modem F5", "FMD"),
    ("Wi-Fi repeater", "WRP"),
    ("Satellite dish 80 cm", "SAT"),
)
# (billing term scheme, billing frequency)
BILLING_TERMS = (
    ("Monthly in advance", "monthly"),
    ("Monthly in arrears", "monthly"),
    ("Quarterly in advance", "quarterly"),
    ("Annual prepaid", "annual"),
)
CATEGORIES = ("residential", "business", "vip", "government")
TOPICS = (
    "Billing question",
    "Disputed invoice",
    "Payment promise",
    "Past due invoice",
    "Service outage",
    "Address change",
    "Contract renewal",
    "Collection call",
    "Technical support",
    "Credit hold review",
    "Welcome call",
)
KEYWORDS = (
    "dispute",
    "promise-to-pay",
    "refund",
    "outage",
    "upgrade",
    "complaint",
    "follow-up",
    "dunning",
    "installment",
    "retention",
    "chargeback",
    "debit-memo",
)
# Oracle Receivables customer responses (QuickCodes).
CUSTOMER_RESPONSES = (
    "promise_to_pay",
    "disputes_charge",
    "already_paid",
    "goods_not_received",
    "incorrectly_billed",
    "will_call_back",
    "no_answer",
)
NOTES = (
    "Customer called about the last invoice; explained the charges.",
    "Left a voicemail, will try again tomorrow.",
    "Customer disagrees with one line of the invoice; amount placed in dispute.",
    "Payment received after the call; nothing further to do.",
)
# PeopleSoft conversation references: qualifier -> reference id pattern over a per-contact serial.
REFERENCE_PATTERNS = {
    "invoice": "INV-{year}-{serial:06d}",
    "item": "IT{serial:08d}",
    "transaction": "TRX-{year}{serial:07d}",
    "order": "SO-{serial:07d}",
}
WORK_ITEMS = {
    WorkItemKind.ACTIVITY: ("ACT", ("Call back about payment", "Send account statement", "Check address")),
    WorkItemKind.JOB: ("JOB", ("Install fibre modem", "Replace set-top box", "Dish alignment")),
    WorkItemKind.SERVICE_REQUEST: ("SR", ("No signal since yesterday", "Slow internet", "Billing correction")),
    WorkItemKind.NOTIFICATION: ("NOT", ("Invoice available", "Payment reminder", "Planned maintenance")),
    WorkItemKind.LEAD: ("LEAD", ("Upgrade to 1 Gbit/s", "Sports pack interest", "Business line offer")),
}

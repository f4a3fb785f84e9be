"""Words the demo data is made of: names with their accents, places, products and the seeds' vocabulary."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Locale:
    country: str
    currency: str
    language: str
    first_names: tuple[str, ...]
    last_names: tuple[str, ...]
    streets: tuple[str, ...]
    cities: tuple[tuple[str, str, str], ...]  # city, postcode, region
    company_forms: tuple[str, ...]
    mobile_prefixes: tuple[str, ...]
    landline_prefixes: tuple[str, ...]


FRANCE = Locale(
    country="FR",
    currency="EUR",
    language="fr",
    first_names=(
        "Élodie",
        "Hélène",
        "François",
        "Amélie",
        "Jérôme",
        "Loïc",
        "Maëlle",
        "Benoît",
        "Cécile",
        "Noé",
        "Marie",
        "Gaëlle",
        "Raphaël",
        "Chloé",
        "Thérèse",
    ),
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
        "Perrin",
        "Faure",
        "Girard",
        "Lambert",
        "Barbier",
        "Noël",
    ),
    streets=(
        "rue de la Paix",
        "avenue Victor-Hugo",
        "boulevard Saint-Michel",
        "rue des Écoles",
        "place Bellecour",
        "chemin des Prés",
        "rue du Général-Leclerc",
    ),
    cities=(
        ("Paris", "75002", "Île-de-France"),
        ("Lyon", "69002", "Auvergne-Rhône-Alpes"),
        ("Marseille", "13001", "Provence-Alpes-Côte d'Azur"),
        ("Nantes", "44000", "Pays de la Loire"),
        ("Besançon", "25000", "Bourgogne-Franche-Comté"),
        ("Orléans", "45000", "Centre-Val de Loire"),
    ),
    company_forms=("SARL", "SAS", "SA"),
    mobile_prefixes=("6", "7"),
    landline_prefixes=("1", "4", "5"),
)
CZECHIA = Locale(
    country="CZ",
    currency="CZK",
    language="cs",
    first_names=("Jiří", "Šárka", "Tomáš", "Kateřina", "Lukáš", "Zdeňka", "Přemysl", "Markéta", "Vojtěch", "Dana"),
    last_names=(
        "Dvořák",
        "Novotná",
        "Černý",
        "Procházka",
        "Kučerová",
        "Svoboda",
        "Růžička",
        "Veselá",
        "Horák",
        "Němcová",
    ),
    streets=("Václavské náměstí", "Národní třída", "Křižíkova", "Dlouhá", "Štefánikova", "Žitná"),
    cities=(
        ("Praha", "110 00", "Hlavní město Praha"),
        ("Brno", "602 00", "Jihomoravský kraj"),
        ("Ostrava", "702 00", "Moravskoslezský kraj"),
        ("Plzeň", "301 00", "Plzeňský kraj"),
        ("České Budějovice", "370 01", "Jihočeský kraj"),
    ),
    company_forms=("s.r.o.", "a.s."),
    mobile_prefixes=("601", "602", "731", "777"),
    landline_prefixes=("2", "5"),
)
SPAIN = Locale(
    country="ES",
    currency="EUR",
    language="es",
    first_names=("José", "Begoña", "María", "Íñigo", "Lucía", "Ángel", "Nuria", "Jesús", "Sofía", "Andrés"),
    last_names=("Muñoz", "Núñez", "Peña", "García", "Fernández", "Ibáñez", "Martínez", "Sánchez", "Gómez", "Castaño"),
    streets=("Calle Mayor", "Avenida de la Constitución", "Plaza de España", "Calle de Alcalá", "Paseo de Gràcia"),
    cities=(
        ("Madrid", "28013", "Comunidad de Madrid"),
        ("Barcelona", "08007", "Cataluña"),
        ("Sevilla", "41004", "Andalucía"),
        ("A Coruña", "15001", "Galicia"),
        ("Málaga", "29015", "Andalucía"),
    ),
    company_forms=("S.L.", "S.A."),
    mobile_prefixes=("6", "7"),
    landline_prefixes=("91", "93", "95"),
)
GERMANY = Locale(
    country="DE",
    currency="EUR",
    language="de",
    first_names=("Jürgen", "Björn", "Käthe", "Jörg", "Sören", "Ursula", "Lukas", "Jana", "Günther", "Anneliese"),
    last_names=("Müller", "Groß", "Schäfer", "Weiß", "Köhler", "Schröder", "Krüger", "Bäcker", "Hoffmann", "Wagner"),
    streets=("Hauptstraße", "Königsallee", "Schloßstraße", "Bahnhofstraße", "Goethestraße", "Lindenstraße"),
    cities=(
        ("Berlin", "10115", "Berlin"),
        ("München", "80331", "Bayern"),
        ("Köln", "50667", "Nordrhein-Westfalen"),
        ("Düsseldorf", "40213", "Nordrhein-Westfalen"),
        ("Nürnberg", "90403", "Bayern"),
    ),
    company_forms=("GmbH", "AG", "KG"),
    mobile_prefixes=("151", "160", "170", "176"),
    landline_prefixes=("30", "89", "221"),
)
LOCALES = (FRANCE, CZECHIA, SPAIN, GERMANY)

COMPANY_WORDS = (
    "Transports",
    "Bâtiment",
    "Énergie",
    "Logistika",
    "Stavby",
    "Construcciones",
    "Técnica",
    "Bäckerei",
    "Maschinenbau",
    "Électricité",
    "Informatique",
    "Servicios",
    "Zahradnictví",
    "Lebensmittel",
)
EMAIL_DOMAINS = ("example.com", "example.fr", "example.cz", "example.es", "example.de", "mail.example.org")
SERVICES = (
    ("BASIC", "Basic package", True),
    ("SUPPORT", "Premium support", False),
    ("HD", "HD channels", False),
    ("SPORT", "Sports pack", False),
    ("NET100", "Internet 100 Mbit/s", True),
    ("VOIP", "Home phone", False),
    ("CLOUD", "Cloud backup", False),
    ("INSTALL", "Installation fee", True),
)
PRODUCTS = ("Set-top box X200", "Smart card reader", "Fibre modem F5", "Wi-Fi repeater", "Satellite dish 80 cm")
BILLING_SCHEMES = ("Monthly in advance", "Monthly in arrears", "Quarterly in advance", "Annual prepaid")
FREQUENCIES = {
    "Monthly in advance": "monthly",
    "Monthly in arrears": "monthly",
    "Quarterly in advance": "quarterly",
    "Annual prepaid": "annual",
}
TOPICS = (
    "Billing question",
    "Disputed invoice",
    "Payment promise",
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
)
CUSTOMER_RESPONSES = (
    "promise_to_pay",
    "disputes_charge",
    "already_paid",
    "no_answer",
    "will_call_back",
    "goods_not_received",
    "incorrectly_billed",
)
COLLECTORS = ("Amélie Roux", "Jan Novák", "Lucía García", "Jonas Weber", "Collections team")
REFERENCE_QUALIFIERS = ("invoice", "item", "transaction", "order")
CATEGORIES = ("residential", "business", "vip", "government")
NOTES = (
    "Customer called about the last invoice; explained the charges.",
    "Left a voicemail, will try again tomorrow.",
    "Le client conteste une partie de la facture.",
    "Zákazník slíbil zaplatit do konce měsíce.",
    "El cliente solicita un plan de pagos.",
    "Kunde meldet eine Störung seit gestern Abend.",
)

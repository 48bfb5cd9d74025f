"""Invented archival prose: names, places, dates, citations and paragraphs drawn from word lists.

Nothing here comes from real documents: sentences are assembled from fragments so that pages have the
length, vocabulary and punctuation of diplomatic correspondence without reproducing any of it.
"""

from __future__ import annotations

import datetime as dt
import random

SURNAMES = {
    "ru": (
        "Ivanov", "Sokolov", "Morozov", "Volkov", "Lebedev", "Kozlov", "Novikov", "Orlov", "Zaitsev",
        "Pavlov", "Semyonov", "Golubev", "Vinogradov", "Bogdanov", "Vorobyov", "Fyodorov", "Belyaev",
        "Tarasov", "Karpov", "Gusev", "Titov", "Kuzmin", "Baranov", "Komarov",
    ),
    "zh": (
        "Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Xu", "Sun", "Ma", "Zhu", "Hu",
        "Guo", "He", "Lin", "Luo", "Gao", "Song", "Tang", "Han", "Feng", "Deng",
    ),
    "ro": (
        "Popescu", "Ionescu", "Constantinescu", "Stan", "Dumitrescu", "Marin", "Tudor", "Radu", "Stoica",
        "Munteanu", "Lungu", "Rusu", "Ene", "Moldovan", "Barbu", "Nistor",
    ),
    "de": (
        "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Wagner", "Becker", "Hoffmann", "Koch",
        "Richter", "Klein", "Wolf", "Schröder", "Neumann", "Zimmermann", "Krüger",
    ),
    "en": (
        "Smith", "Johnson", "Clark", "Lewis", "Walker", "Hall", "Allen", "Young", "Hill", "Baker", "Parker",
        "Turner", "Collins", "Morgan", "Cooper", "Reed", "Bailey", "Hughes",
    ),
    "pl": (
        "Kowalski", "Nowak", "Wiśniewski", "Wójcik", "Kamiński", "Lewandowski", "Zieliński", "Szymański",
        "Dąbrowski", "Kozłowski", "Jankowski", "Mazur",
    ),
    "hu": ("Nagy", "Kovács", "Tóth", "Szabó", "Horváth", "Varga", "Kiss", "Molnár", "Németh", "Farkas"),
    "ko": ("Kim", "Pak", "Choe", "Jong", "Kang", "Ri", "Han", "Yun", "Hwang", "Sin"),
}
GIVEN_NAMES = {
    "ru": (
        "Aleksei", "Boris", "Dmitrii", "Grigorii", "Ivan", "Konstantin", "Mikhail", "Nikolai", "Pavel",
        "Sergei", "Vasilii", "Yurii", "Andrei", "Fyodor", "Viktor", "Oleg",
    ),
    "zh": (
        "Jianguo", "Zhiming", "Dehua", "Guoqiang", "Shaoping", "Wenhua", "Xiaoming", "Yongfu", "Chenglin",
        "Huaiyu", "Zhenbang", "Qiming",
    ),
    "ro": ("Ion", "Gheorghe", "Vasile", "Constantin", "Mihai", "Nicolae", "Alexandru", "Petre", "Emil"),
    "de": ("Hans", "Karl", "Werner", "Heinz", "Kurt", "Günter", "Walter", "Otto", "Erich", "Horst"),
    "en": (
        "John", "William", "Robert", "Charles", "George", "Thomas", "Edward", "Richard", "Henry", "Arthur",
    ),
    "pl": ("Jan", "Stanisław", "Józef", "Władysław", "Tadeusz", "Zbigniew", "Jerzy", "Andrzej"),
    "hu": ("János", "István", "László", "Ferenc", "József", "Sándor", "Imre", "Gyula"),
    "ko": ("Chol", "Il", "Song", "Ho", "Nam", "Man", "Gil", "Su"),
}
# Names written family name first.
FAMILY_FIRST = {"zh", "ko", "hu"}
NATION_OF = {
    "ru": "USSR",
    "zh": "PRC",
    "ro": "Romania",
    "de": "GDR",
    "en": "United States",
    "pl": "Poland",
    "hu": "Hungary",
    "ko": "DPRK",
}
CITIES = {
    "ru": ("Moscow", "Leningrad", "Kiev", "Minsk"),
    "zh": ("Beijing", "Shanghai", "Nanning", "Shenyang"),
    "ro": ("Bucharest", "Cluj", "Constanța"),
    "de": ("Berlin", "Leipzig", "Dresden"),
    "en": ("Washington", "New York", "London"),
    "pl": ("Warsaw", "Kraków", "Gdańsk"),
    "hu": ("Budapest", "Debrecen"),
    "ko": ("Pyongyang", "Kaesong", "Wonsan"),
}
OTHER_CITIES = (
    "Hanoi", "Havana", "Belgrade", "Tirana", "Ulaanbaatar", "Paris", "Geneva", "Vienna", "Tokyo", "New Delhi",
    "Cairo", "Jakarta", "Prague", "Sofia", "Helsinki", "Stockholm", "Rangoon", "Kabul",
)
COUNTRIES = (
    "Romania", "Poland", "China", "Korea", "Vietnam", "Cuba", "Hungary", "the GDR", "Yugoslavia", "Albania",
    "Mongolia", "India", "Indonesia", "Egypt", "Japan", "France", "Great Britain", "the United States",
    "Czechoslovakia", "Bulgaria", "Finland", "Afghanistan", "Laos", "Burma",
)
LANGUAGE_NAMES = {
    "ru": "Russian",
    "zh": "Chinese",
    "ro": "Romanian",
    "de": "German",
    "en": "English",
    "pl": "Polish",
    "hu": "Hungarian",
    "ko": "Korean",
}
ROLES = (
    "Ambassador", "First Secretary of the Central Committee", "Minister of Foreign Affairs",
    "Chairman of the Council of Ministers", "Deputy Head of the Far Eastern Department",
    "Counsellor of the Embassy", "Chargé d'Affaires", "Deputy Minister of Defense",
    "Head of the Trade Mission", "Secretary of the Central Committee", "Military Attaché", "Premier",
    "Director of the Institute",
)
ORGS = (
    "Central Committee", "Politburo", "Ministry of Foreign Affairs", "State Planning Committee", "Embassy",
    "General Staff", "Committee for State Security", "International Department", "Council of Ministers",
    "Trade Union Council",
)
COVER_NAMES = ("KORNEV", "SEVERIN", "DUBOV", "GRACH", "LESNOV", "KAMENEV", "BEREZIN", "STRELTSOV", "VOLKHOV")
TOPICS = (
    "Cold War History", "Economic Cooperation", "Nuclear History", "Korean War", "Sino-Soviet Split",
    "Warsaw Pact", "Border Conflicts", "Arms Control", "Decolonization", "Intelligence", "Diplomacy",
    "Military Assistance", "Foreign Trade", "Party Congresses", "Propaganda", "Agriculture", "Energy",
    "Science and Technology", "Refugees", "Cultural Exchange",
)

SUBJECTS = (
    "the Soviet side", "our delegation", "the Central Committee", "the government of {country}",
    "the Ministry of Foreign Affairs", "Comrade {surname}", "the Ambassador", "the American side",
    "the working group", "the leadership of the party", "the Embassy", "the joint commission",
    "the military command", "our friends in {city}", "the trade mission", "the press department",
)
VERBS = (
    "considers it necessary to", "has agreed to", "proposes to", "intends to", "is prepared to",
    "has decided to", "does not object to", "asks for permission to", "will attempt to", "refuses to",
    "promised to", "was instructed to", "hopes to", "is in no position to",
)
ACTIONS = (
    "expand economic cooperation with {country}", "send a delegation to {city}",
    "postpone the negotiations until {month}", "review the draft of the treaty",
    "strengthen the defense of the border regions", "provide credits for the construction of {n} plants",
    "inform the fraternal parties of the results", "raise the question at the next session",
    "deliver {n} tons of grain to {city}", "withdraw the advisers from {country}",
    "publish a joint communiqué", "reduce the number of troops by {n} thousand",
    "exchange notes on the status of the port", "reconsider the terms of the loan",
    "coordinate its position with {country}", "invite a group of specialists from {city}",
)
ADVERBIALS = (
    "in the near future", "without delay", "as soon as possible", "at the present stage",
    "in view of the international situation", "after consultations with our friends",
    "before the end of {month}", "on the basis of mutual interest", "under the present circumstances",
    "if the situation permits", "within the framework of the agreement of {year}", "",
)
OPENERS = (
    "", "", "", "We believe that ", "It should be noted that ", "In this connection ", "As is well known, ",
    "According to our information, ", "At the same time ", "Moreover, ", "{surname} said that ",
    "In the course of the conversation {surname} stressed that ", "The Ambassador reported that ",
    "It was agreed that ", "We have learned that ",
)
ASIDES = (
    "We have received your telegram of {day} {month}.", "The matter was discussed at length.",
    "No final decision has been taken.", "The talks lasted {n} hours.", "Please inform us of your opinion.",
    "The report is attached.", "This question requires further study.", "{surname} did not comment on this.",
    "The atmosphere of the meeting was friendly.",
)
SALUTATIONS = (
    "Dear Comrade {surname},", "Dear Comrade {surname}!", "Esteemed Comrade {surname},",
    "Dear Mr. {surname}:", "Mr. President:", "Dear Friend,", "Comrade {surname}!", "Your Excellency,",
)
CLOSINGS = (
    "With comradely greetings,", "Sincerely yours,", "Respectfully yours,", "With deep respect,",
    "Faithfully yours,", "With best wishes,", "Yours truly,",
)
CLASSIFICATIONS = ("Top Secret", "Secret", "Confidential", "Strictly Secret", "Top Secret; Eyes Only")
ARCHIVES = (
    "AVP RF", "RGANI", "RGASPI", "PRC FMA", "ANIC", "AAN", "SAPMO-BArch", "MOL", "AMZV", "GARF", "TsAMO",
    "AIPN", "NARA",
)
ARCHIVE_NAMES = (
    "Archive of Foreign Policy of the Russian Federation", "Russian State Archive of Contemporary History",
    "Foreign Ministry Archive", "National Archives", "Central Party Archive", "State Archive",
    "Archive of the Ministry of Foreign Affairs", "Military Archive",
)
PUBLISHERS = ("Nauka", "Academic Press", "Central Press", "University Press", "Editura Politică", "Dietz")
FUNDERS = (
    "the Carnegie Corporation of New York", "the MacArthur Foundation", "the Henry Luce Foundation",
    "the Korea Foundation", "the Leon Levy Foundation", "a private donor",
)
MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
    "November", "December",
)
ROMAN_MONTHS = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")
# Syllables for the "original language" tabs: enough to make pages multi-byte UTF-8 of the right shape.
CYRILLIC_SYLLABLES = (
    "ко", "ми", "те", "ра", "сов", "пре", "ни", "сти", "ло", "да", "вет", "про", "ста", "но", "вый", "тов",
    "ари", "щ", "пра", "ви", "тель", "ство", "де", "ле", "га", "ция", "мы", "за",
)
HANZI = (
    "中国共产党中央委员会政府同志我们关于问题会议代表团"
    "苏联朝鲜美国经济合作军事援助条约边境人民主席总理外交部电报"
)
LATIN_SYLLABLES = (
    "tá", "re", "guv", "ern", "ul", "ză", "şi", "pol", "ski", "ég", "ős", "kon", "fe", "ren", "cja", "schaft",
    "lich", "ung", "mi", "nis", "ter", "ö", "ny", "ar", "ta", "lo",
)


class TextGen:
    """One page's source of invented text; every choice comes from the page's own seeded RNG."""

    def __init__(self, rng: random.Random):
        self.rng = rng

    def pick(self, options):
        return options[self.rng.randrange(len(options))]

    def nation(self) -> str:
        return self.pick(tuple(SURNAMES))

    def surname(self, nation: str | None = None) -> str:
        return self.pick(SURNAMES[nation or self.nation()])

    def person(self, nation: str | None = None) -> str:
        nation = nation or self.nation()
        given, family = self.pick(GIVEN_NAMES[nation]), self.pick(SURNAMES[nation])
        if nation in FAMILY_FIRST:
            return f"{family} {given}"
        if self.rng.random() < 0.3:
            return f"{given[0]}. {family}"
        return f"{given} {family}"

    def city(self, nation: str | None = None) -> str:
        if nation and self.rng.random() < 0.7:
            return self.pick(CITIES[nation])
        return self.pick(OTHER_CITIES)

    def fill(self, template: str) -> str:
        if "{" not in template:
            return template
        return template.format(
            country=self.pick(COUNTRIES),
            surname=self.surname(),
            city=self.city(),
            month=self.pick(MONTHS),
            n=self.rng.randint(2, 400),
            year=self.rng.randint(1945, 1989),
            day=self.rng.randint(1, 28),
        )

    def sentence(self) -> str:
        rng = self.rng
        if rng.random() < 0.12:
            return self.fill(self.pick(ASIDES))
        opener = self.fill(self.pick(OPENERS))
        clause = " ".join(
            part
            for part in (
                self.fill(self.pick(SUBJECTS)),
                self.pick(VERBS),
                self.fill(self.pick(ACTIONS)),
                self.fill(self.pick(ADVERBIALS)),
            )
            if part
        )
        if rng.random() < 0.25:
            clause += (
                ", and "
                + self.fill(self.pick(SUBJECTS))
                + " "
                + self.pick(VERBS)
                + " "
                + self.fill(self.pick(ACTIONS))
            )
        text = opener + clause if opener else clause[0].upper() + clause[1:]
        if rng.random() < 0.08:
            text = f"{text} (“{self.fill(self.pick(ACTIONS))}”)"
        return text + ("!" if rng.random() < 0.04 else ".")

    def paragraph(self, sentences: tuple[int, int] = (2, 7)) -> str:
        return " ".join(self.sentence() for _ in range(self.rng.randint(*sentences)))

    def date(self, start: int = 1917, end: int = 1991) -> dt.date:
        first = dt.date(start, 1, 1).toordinal()
        return dt.date.fromordinal(self.rng.randint(first, dt.date(end, 12, 31).toordinal()))

    def date_text(self, day: dt.date, form: str | None = None) -> str:
        """The date as a page might write it: forms vary by archive, language and era."""
        form = form or self.pick(("us", "us", "eu", "eu", "roman", "iso", "ordinal", "dotted"))
        month = MONTHS[day.month - 1]
        return {
            "us": f"{month} {day.day}, {day.year}",
            "eu": f"{day.day} {month} {day.year}",
            "roman": f"{day.day}.{ROMAN_MONTHS[day.month - 1]}.{day.year}",
            "iso": day.isoformat(),
            "ordinal": f"{month} {day.day}{_ordinal_suffix(day.day)}, {day.year}",
            "dotted": f"{day.day:02d}.{day.month:02d}.{day.year}",
            "month": f"{month} {day.year}",
            "year": f"{day.year}",
            "approx": f"ca. {day.year}",
            "season": f"{self.pick(('Spring', 'Summer', 'Autumn', 'Winter'))} {day.year}",
        }[form]

    def original_paragraph(self, nation: str) -> str:
        """A paragraph in the look of the original language (not a real language)."""
        rng = self.rng
        if nation == "zh":
            return "".join(rng.choice(HANZI) for _ in range(rng.randint(40, 260))) + "。"
        syllables = CYRILLIC_SYLLABLES if nation == "ru" else LATIN_SYLLABLES
        words = (
            "".join(rng.choice(syllables) for _ in range(rng.randint(1, 4)))
            for _ in range(rng.randint(20, 120))
        )
        text = " ".join(words)
        return text[0].upper() + text[1:] + "."

    def archival_reference(self) -> str:
        """A file reference in a shape archives use: fond/opis/delo, file numbers, record numbers."""
        rng, archive = self.rng, self.pick(ARCHIVES)
        fond, opis, delo = rng.randint(1, 100), rng.randint(1, 40), rng.randint(1, 900)
        first, last = sorted((rng.randint(1, 300), rng.randint(1, 300)))
        return self.pick(
            (
                f"{archive}, Fond {fond}, Opis {opis}, Delo {delo}, Listy {first}-{last}.",
                f"{archive}, f. {fond}, op. {opis}, d. {delo}, ll. {first}-{last}.",
                f"{archive}: F. {fond}, Op. {opis % 9 + 1}, D. {delo % 90 + 1}, L. {first}.",
                f"{archive} {rng.randint(100, 119)}-{rng.randint(10000, 99999):05d}-{opis:02d}; "
                f"original Record No. {rng.randint(100, 119)}-Y{delo:04d}.",
                f"{archive}, {self.pick(ORGS)} Section, File {opis}/{rng.randint(1945, 1980)}, "
                f"pp. {first}-{last}.",
            )
        )

    def edition(self) -> str:
        editor = self.person(self.pick(("ru", "en", "de")))
        return (
            f"Published in {editor}, ed., {self.pick(TOPICS)}: Documents, {self.rng.randint(1945, 1990)} "
            f"({self.city()}: {self.pick(PUBLISHERS)}, {self.rng.randint(1990, 2015)}), "
            f"pp. {self.rng.randint(10, 400)}-{self.rng.randint(401, 600)}."
        )

    def credit(self) -> str:
        """A citation's credit sentence (translators, donors), or nothing."""
        roll = self.rng.random()
        name = self.person(self.pick(("en", "ru", "zh", "de")))
        if roll < 0.35:
            return f"Translated by {name}."
        if roll < 0.5:
            return f"Translated for the Archive by {name}."
        if roll < 0.6:
            return f"Translated by {name} and {self.person('en')}."
        if roll < 0.75:
            return f"Obtained by {name}."
        if roll < 0.8:
            return f"Contributed by {name}."
        return ""


def _ordinal_suffix(day: int) -> str:
    if 10 <= day % 100 <= 20:
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")

"""The words the demo stream is made of: names, comments, questions, gifts and the nasty stuff.

Data only; `demo.py` decides when each line is said. Kept apart so the simulation logic stays short
and the cast can grow without touching it. Everything here is invented; gift ids and diamond values
look like TikTok's so the console's gift maths meets realistic numbers.

Order matters: the simulation picks by index from a seeded generator, so reordering a tuple changes
what a given seed produces (tests only compare runs of the same code, so that is allowed).
"""

from __future__ import annotations

from typing import NamedTuple


class GiftKind(NamedTuple):
    gift_id: int
    name: str
    diamonds: int
    weight: float
    """How often it is sent, relative to the others."""
    streakable: bool
    """Cheap gifts are sent in streaks (repeat_count rising); big ones arrive one at a time."""


GIFTS: tuple[GiftKind, ...] = (
    GiftKind(5655, "Rose", 1, 40.0, True),
    GiftKind(5269, "TikTok", 1, 14.0, True),
    GiftKind(6064, "GG", 1, 10.0, True),
    GiftKind(5827, "Ice Cream Cone", 1, 10.0, True),
    GiftKind(5487, "Finger Heart", 5, 10.0, True),
    GiftKind(8913, "Rosa", 10, 6.0, True),
    GiftKind(5658, "Perfume", 20, 5.0, True),
    GiftKind(5879, "Doughnut", 30, 5.0, True),
    GiftKind(5660, "Hand Hearts", 100, 3.0, False),
    GiftKind(5585, "Confetti", 100, 2.0, False),
    GiftKind(6267, "Corgi", 299, 1.0, False),
    GiftKind(7168, "Money Gun", 500, 0.8, False),
    GiftKind(11046, "Galaxy", 1000, 0.5, False),
    GiftKind(6149, "Interstellar", 10000, 0.1, False),
    GiftKind(6369, "Lion", 29999, 0.06, False),
    GiftKind(7312, "TikTok Universe", 44999, 0.03, False),
)

# Languages of the cast and how common each is in this (imaginary) audience.
LANGUAGES: tuple[tuple[str, float], ...] = (
    ("en", 34.0),
    ("es", 16.0),
    ("pt", 12.0),
    ("id", 12.0),
    ("vi", 8.0),
    ("ar", 7.0),
    ("ja", 6.0),
    ("ko", 5.0),
)

# (display name, handle stem): handles are ASCII like real TikTok @names, names are anything.
NAMES: dict[str, tuple[tuple[str, str], ...]] = {
    "en": (
        ("Jess", "jess"), ("Tyler", "tyler"), ("Maddie", "maddie"), ("Chris", "chris"),
        ("Ashley", "ash"), ("Jordan 🏳️‍🌈", "jordan"), ("Kayla", "kayla"), ("Marcus", "marcus"),
        ("Brianna", "bri"), ("Ethan", "ethan"), ("Olivia", "liv"), ("Noah", "noah"),
        ("Destiny 👩🏽‍💻", "destiny"), ("Ryan", "ryan"), ("Hannah", "hannah"), ("Devon", "devon"),
        ("Grandma Sue", "grandmasue"), ("Big Mike", "bigmike"), ("Lil Jay", "liljay"),
    ),
    "es": (
        ("Sofía", "sofia"), ("Mateo", "mateo"), ("Valentina", "vale"), ("Santiago", "santi"),
        ("Camila", "cami"), ("Diego", "diego"), ("Lucía", "lucia"), ("Alejandro", "ale"),
        ("Mariana", "mariana"), ("José Luis", "joseluis"), ("Ximena", "ximena"),
        ("Andrés", "andres"), ("Guadalupe", "lupita"), ("Thiago 🇲🇽", "thiago_mx"),
    ),
    "pt": (
        ("João", "joao"), ("Ana Clara", "anaclara"), ("Gabriel", "gabriel"),
        ("Beatriz", "bia"), ("Lucas", "lucas"), ("Larissa", "lari"), ("Thiago", "thiago"),
        ("Júlia", "julia"), ("Rafael", "rafa"), ("Fernanda", "fe"),
    ),
    "id": (
        ("Putri", "putri"), ("Budi", "budi"), ("Siti Nurhaliza", "sitinur"), ("Agus", "agus"),
        ("Dewi", "dewi"), ("Rizky", "rizky"), ("Ayu", "ayu"), ("Bayu", "bayu"),
        ("Indah", "indah"), ("Fajar", "fajar"),
    ),
    "vi": (
        ("Ngọc Anh", "ngocanh"), ("Minh Tuấn", "minhtuan"), ("Thảo", "thao"), ("Hùng", "hung"),
        ("Phương Linh", "phuonglinh"), ("Đức", "duc"), ("Trang", "trang"),
    ),
    "ar": (
        ("فاطمة", "fatima"), ("محمد", "mohamed"), ("نور", "nour"), ("يوسف", "youssef"),
        ("ليلى", "layla"), ("عمر", "omar"), ("سارة", "sara"),
    ),
    "ja": (
        ("さくら", "sakura"), ("ゆうき", "yuki"), ("たくみ", "takumi"), ("あおい", "aoi"),
        ("ハルト", "haruto"), ("みさき", "misaki"),
    ),
    "ko": (
        ("민지", "minji"), ("지훈", "jihoon"), ("서연", "seoyeon"), ("도윤", "doyoon"),
        ("하은", "haeun"), ("준호", "junho"),
    ),
}  # fmt: skip

NAME_EMOJI: tuple[str, ...] = (
    "✨", "🌸", "💜", "🔥", "🦋", "👑", "🌙", "🍓", "⚽", "🎮", "🐱", "🌻", "💫", "🇧🇷", "🇲🇽", "🇮🇩",
    "🇻🇳", "🇯🇵", "🇰🇷", "🇺🇸", "🇪🇸", "👩🏽‍💻", "🏳️‍🌈", "👍🏽", "🫶", "🩷", "👨‍👩‍👧", "🧑🏿‍🚀",
    "🏴󠁧󠁢󠁳󠁣󠁴󠁿", "1️⃣",
)  # fmt: skip
"""Flags, ZWJ sequences, skin tones, keycaps and newer emoji, as real names carry them (terminals
draw these at different widths: the console's width policy keeps them from tearing the panes)."""

HANDLE_SUFFIXES: tuple[str, ...] = (
    "", "_", "__", ".", "_x", "xo", "_official", ".tv", "_irl", "ttv", "_99", "2006", "07", "123",
    "_live", "_fan", "_real",
)  # fmt: skip

# Fixed extra cast members whose *names* are hostile: markup, bidi overrides, zero-width characters
# and an over-long name. (handle, name)
TROLLS: tuple[tuple[str, str], ...] = (
    ("notanadmin", "[bold red]ADMIN[/bold red]"),
    ("rtl_trick", "\u202enimda_laicifo"),
    ("z_w_j", "zero\u200bwidth\u200cname\u2060"),
    ("longname", "✨" * 8 + "the longest display name on the whole platform, no cap" + "✨" * 8),
    ("esc_name", "\x1b[31mred\x1b[0m"),
)

# --- what viewers say ----------------------------------------------------------------------
# "{at}" is replaced by another viewer's @handle, so some comments talk to each other.

COMMENTS: dict[str, tuple[str, ...]] = {
    "en": (
        "hiii 👋", "hello from Texas!", "first time here 🥺", "love this song 🎶", "W stream",
        "you're so funny 😂😂", "lmaooo", "this is my fav live", "can you say hi to me??",
        "the vibes are immaculate ✨", "{at} hey bestie!", "{at} same lol", "who else is here at 3am",
        "I just got off work 😮‍💨", "slayyy 💅", "ok but the lighting 😍", "no way 😭",
        "do the dance again!!", "tap tap tap ❤️", "brb getting snacks", "GG", "🔥🔥🔥",
        "❤️❤️❤️", "😂", "this is so wholesome", "back again lol", "happy birthday to my mom!! 🎂",
        "rate my setup later?", "can we get 1k likes?", "I'm sharing this with everyone",
        "1️⃣ more song pls", "🫶🫶🫶", "love you guys 🩷", "👏🏽👏🏽👏🏽", "greetings from Scotland 🏴󠁧󠁢󠁳󠁣󠁴󠁿",
        "#️⃣1 fan right here", "family movie night after this 👨‍👩‍👧‍👦", "❤️‍🔥❤️‍🔥", "🫨 that drop",
    ),
    "es": (
        "hola desde México 🇲🇽", "saludos!!", "te amo ❤️", "jajajaja", "qué bonito",
        "buenas noches a todos", "{at} holaa", "me encanta esta canción", "eres la mejor 😍",
        "saludos desde Colombia", "que viva el live 🎉", "ya llegué 😎", "mañana vuelvo 👋",
        "¡qué buena onda!", "1️⃣ la primera!", "🙌🏽🙌🏽",
    ),
    "pt": (
        "oii do Brasil 🇧🇷", "kkkkkk", "amei", "manda um salve pra mim!", "que live top",
        "{at} kkk verdade", "boa noite galera", "tô aqui desde o começo", "lindaaa 😍",
        "alguém do Rio?", "não acredito kkkk", "saudades de você", "🙌🏾🙌🏾 🇧🇷🇧🇷",
    ),
    "id": (
        "halo kak 👋", "wkwkwk", "semangat kak!", "salam dari Jakarta", "mantap 🔥",
        "{at} iya bener", "keren banget", "kak sapa dong", "hadir kak", "lucu banget 😂", "🫶 kak",
    ),
    "vi": (
        "chào chị ạ", "hay quá 👏", "xin chào từ Hà Nội", "{at} đúng rồi", "dễ thương quá",
        "haha", "cho em xin tim với ❤️", "chào từ Việt Nam 🇻🇳",
    ),
    "ar": (
        "مرحبا 👋", "السلام عليكم", "ما شاء الله", "تحياتي من مصر 🇪🇬", "{at} هههه", "جميل جدا ❤️",
        "أحبك",
    ),
    "ja": (
        "こんにちは！", "かわいい〜", "草", "初見です🙇‍♀️", "{at} それな", "すごい！", "おつかれさま",
    ),
    "ko": (
        "안녕하세요 👋", "ㅋㅋㅋㅋ", "너무 귀여워요", "{at} 맞아요", "대박", "사랑해요 💕",
    ),
}  # fmt: skip

QUESTIONS: dict[str, tuple[str, ...]] = {
    "en": (
        "What mic do you use?", "When is your next live?", "How old are you?",
        "What game is this?", "Where did you get that hoodie?", "Can you play my song request?",
        "How do you edit your videos?", "What's your cat's name?", "Are you doing a Q&A later?",
    ),
    "es": ("¿De dónde eres?", "¿Cuándo es el próximo live?", "¿Qué canción es esta?"),
    "pt": ("Qual é o seu signo?", "Você vai vir pro Brasil?", "Que música é essa?"),
    "id": ("Kapan live lagi kak?", "Kak asalnya dari mana?", "Pakai HP apa kak?"),
    "vi": ("Chị bao nhiêu tuổi vậy?", "Bài hát này tên gì ạ?"),
    "ar": ("من أين أنت؟", "متى البث القادم؟"),
    "ja": ("どこに住んでますか？", "次の配信はいつですか？"),
    "ko": ("몇 살이에요?", "다음 라이브 언제예요?"),
}  # fmt: skip

# --- spam, abuse and hostile text ----------------------------------------------------------

# One viewer hammering the same line.
SPAM_REPEATS: tuple[str, ...] = (
    "NOTICE ME", "first!!", "❤️❤️❤️❤️❤️", "hi hi hi hi", "follow back pls", "😂😂😂😂😂😂😂😂",
    "SAY HI TO ME", "jajajajajajajaja", "wkwkwkwkwk",
)  # fmt: skip

# What bot waves post: several fresh accounts, same text, fast.
BOT_TEXTS: tuple[str, ...] = (
    "free coins at bit.ly/fr33-c0ins 💰",
    "FREE 10000 COINS 👉 bit.ly/tt-coins-now",
    "get 5k followers fast: bit.ly/boost-ur-acc",
    "𝐟𝐫𝐞𝐞 𝐜𝐨𝐢𝐧𝐬 in my bio 🔥🔥",
    "DM me for promo 📈📈📈",
    "fr\u200bee co\u200bins h\u200bere bit.ly/zw-sp4m",
)

BOT_NAMES: tuple[str, ...] = (
    "Free Coins 💰", "promo team", "Official Giveaway", "user", "💸💸💸", "Follow4Follow",
)  # fmt: skip

INSULTS: tuple[str, ...] = (
    "this stream is trash", "you're so boring 🥱", "L streamer", "nobody cares lol",
    "idiot host", "ugly 🤮", "go back to school kid", "eres un payaso 🤡", "chato banget",
    "i\u200bd\u200bi\u200bo\u200bt", "unfollowing, cringe",
)  # fmt: skip

# Text built to break a terminal UI: markup, escape sequences, bidi tricks, invisible characters,
# odd line breaks, combining-mark towers and sheer length. The console must show these as text.
HOSTILE: tuple[str, ...] = (
    "[@click=app.quit]x[/]",
    "a [/] b",
    "[bold red]MOD[/bold red]: you are banned",
    "[link=https://bit.ly/x]click for coins[/link]",
    "\x1b]0;pwned\x07",
    "\x1b[2J\x1b[Hcleared your screen lol",
    "\u202egnp.exe",
    "b\u200ban me if you can",
    "nice\u2028stream\u2029really",
    "over\rwrite",
    "\x07\x07\x07 beep beep",
    "h̸̢̛̛̰͎̝e̵̡͎͐̀ ̷̢̧̛c̶̨̛o̸̢͌m̷͇̐e̷͉̿s̶̗͝",
    "spam " * 400,
    "{at} ratio",
)

"""The coach's word lists, kept as data so a seller can read and extend them.

Notation (see `patterns.py`): `[a/b]` one of, `(a/b)` optional, `…` a short
gap, `'` either apostrophe. Where a list is a mapping, the value is the
rewrite offered as the suggestion ("" means: delete the phrase).
"""

# fmt: off

# pad.opener: throat-clearing before the point ("write short and quick and to the point").
OPENERS = {
    "[I'm/I am] writing to": "",
    "[I'm/I am] (just) writing (to you) [about/regarding/because/in regards to]": "",
    "[I'm/I am/I was] (just) reaching out": "",
    "I wanted to reach out": "",
    "(I'm/I am) just reaching out": "",
    "I hope this [email/e-mail/message/note] finds you well": "",
    "hope this [email/e-mail/message/note] finds you well": "",
    "I hope (that) this finds you well": "",
    "(I) (really/do/truly/sincerely) hope [you're/you are] (all) doing well": "",
    "My name is … and": "",
    "I just wanted to": "",
    "just wanted to": "",
    "I wanted to take a moment to": "",
    "allow me to introduce myself": "",
    "let me introduce myself": "",
    "I'd like to introduce myself": "",
    "[I'm/I am] contacting you [to/because/about/regarding]": "",
}

# pad.deference: padding that puts the seller below the reader ("Be their equal").
DEFERENCE = {
    "I know (that) [you're/you are] (extremely/very/super/incredibly/really) busy": "",
    "I know how busy you are": "",
    "I realize [you're/you are] (extremely/very/super) busy": "",
    "(it/that) would be (greatly/really/much/very much) appreciated if": "Could you",
    "greatly appreciated": "",
    "(I/I'd/I would) (really/greatly/truly) appreciate it if": "Could you",
    "if you could (possibly) spare": "if you have",
    "at your earliest convenience": "this week",
    "[when/whenever] you get a chance": "this week",
    "[sorry/apologies] to bother you": "",
    "sorry to [bother/trouble/disturb/interrupt]": "",
    "I apologize for [bothering/disturbing/the intrusion]": "",
    "[don't/do not] hesitate to": "",
    "I was wondering if you [could/would/might/can]": "Could you",
    "I was wondering if": "",
    "I was hoping (that) you (might/could/would)": "Could you",
    "thank you (so much) for your time and consideration": "Thanks.",
    "thanks (so much) for your time and consideration": "Thanks.",
    "if it's not too much trouble": "",
    "if [it's/it is] not (too much of) an imposition": "",
    "would you be so kind (as to/to)": "Could you",
    "I'd be (very/so/eternally) grateful if": "Could you",
    "I would be (very/so/eternally) grateful if": "Could you",
    "I humbly": "I",
    "forgive (me for) the intrusion": "",
}

# pad.signoff: formal closings; "Thanks,", "Best,", "Cheers," are fine.
FORMAL_SIGNOFFS = {
    "Regards": "Thx.",
    "Kind regards": "Thx.",
    "Kindest regards": "Thx.",
    "Best regards": "Thx.",
    "Warm regards": "Thx.",
    "Warmest regards": "Thx.",
    "Warm wishes": "Thx.",
    "With (best/kind/warm) regards": "Thx.",
    "Many regards": "Thx.",
    "Sincerely": "Thx.",
    "Sincerely yours": "Thx.",
    "Yours sincerely": "Thx.",
    "Yours truly": "Thx.",
    "Yours faithfully": "Thx.",
    "Truly yours": "Thx.",
    "Respectfully": "Thx.",
    "Respectfully yours": "Thx.",
    "Cordially": "Thx.",
    "With gratitude": "Thx.",
}

# Closings a seller may use without a finding; they end the own text, not start a signature.
PLAIN_SIGNOFFS = [
    "Thanks", "Thank you", "Thanks so much", "Thanks again", "Many thanks", "Thx", "Thnx", "Ty", "Best",
    "All the best", "Best wishes", "Cheers", "Talk soon", "Speak soon", "Later", "Ciao", "Take care",
    "Have a great weekend", "Have a good one", "Onward", "Go team", "Appreciate it",
]

# peer.hedges: words that make the seller sound unsure of their own point.
HEDGES = [
    "maybe", "perhaps", "just", "I think", "possibly", "sort of", "a bit", "kind of", "I guess",
    "I feel like",
]

# "just" that means "a moment ago" or "exactly" is not a hedge.
NOT_HEDGES = [
    "just [launched/released/shipped/raised/closed/hired/published/announced/opened/signed/finished/moved/joined/started/landed/won/crossed/hit/rolled out/went live]",
    "just [as/like/in time/in case/about/because/now/then]",
]

# fup.guilt: nagging in a follow-up ("write like you're writing to a peer").
GUILT = {
    "did you (get/see/receive) [my/the] (last/previous/earlier) [email/e-mail/note/message]": "",
    "[haven't/have not/hadn't] heard back": "",
    "[haven't/have not] heard from you": "",
    "as per my (last/previous) [email/e-mail/note/message]": "",
    "per my (last/previous) [email/e-mail/note/message]": "",
    "(just) bumping this (up) (to the top of your inbox)": "",
    "not sure if you saw my (last/previous) [email/e-mail/note/message]": "",
    "in case you missed my (last/previous) [email/e-mail/note/message]": "",
    "I've [emailed/called/tried] you (several/a few/multiple) times": "",
    "[you've/you have] been hard to reach": "",
    "I'm starting to think you": "",
}

# ask: requests that are not phrased as questions.
REQUESTS = [
    "let me know", "lmk",
    "please [let/send/share/reply/forward/confirm/book/pick/grab/choose/schedule/call/review/sign/introduce/connect/point/advise/suggest/tell]",
    "send me", "send [it/them/this/that/over] (over) my way", "send over", "reply with",
    "reply ['yes'/yes/\"yes\"]", "just reply", "hit reply", "shoot me", "drop me a line",
    "[grab/book/pick/find/choose/snag] a [time/slot/spot]", "find (some) time", "grab (some) time",
    "[set/setup/set up] (some) time", "[set/setup/set up] a [call/meeting/chat/demo]",
    "[hop/jump] on a (quick) call", "let's [chat/talk/meet/connect/find/grab/set/schedule/book/catch up/get]",
    "[I'd/I would/we'd/we would/would] love to [chat/connect/talk/meet/show/walk/hear/get/learn/schedule/set/book/grab/jump/hop/see/send/share]",
    "[I'd/I would/we'd/we would] like to [chat/connect/talk/meet/show/walk/schedule/set/book/grab/get/hear/learn/understand/see/send/share/ask]",
    "(it) would be [great/amazing/good/nice/awesome/helpful/useful] to [connect/chat/meet/talk/catch up/find time/hear/get/see/compare]",
    "see if [you'd/you would/you're/you are] (be) [open/free/around/available/interested/up for]",
    "[you'd/you would] be open to",
    "[whether/if] [you/you'd/you would/you might] (possibly/perhaps/maybe) (be) [interested/open/free/available/up for]",
    "if you could (please) [share/send/introduce/point/forward/book/confirm/review/look/take/connect/reply/let]",
    "[would love/I'd love/I would love] your [thoughts/take/feedback/input/view]",
    "point me [to/toward/towards/in]", "[introduce/connect] me", "loop in", "forward this to",
    "[give/put] me a call", "call me", "text me", "ping me", "[book/pick/grab] time on my calendar",
    "[here's/here is] my calendar", "take 15 (minutes/mins)", "give [it/us] a (quick) try", "sign up",
    "[start/try] a (free) [trial/pilot]",
]

# Links that ask for a meeting (drip.has_ask, ask detection).
CALENDAR_HOSTS = [
    "calendly.com", "cal.com", "savvycal.com", "meetings.hubspot.com", "hubspot.com/meetings",
    "chilipiper.com", "doodle.com", "zcal.co", "tidycal.com", "youcanbook.me", "acuityscheduling.com",
    "calendar.app.google", "calendar.google.com", "outlook.office.com/bookwithme",
]

# A question that opens like this is rhetorical: the writer answers it.
RHETORICAL_OPENERS = [
    "ever [wonder/wondered/notice/noticed]", "what if", "guess what", "who knew", "sound familiar",
    "know what", "the [result/catch/fix/answer/takeaway/kicker/twist/trick/secret/lesson/upshot/reason]",
    "[what's/what is/what was] the [catch/secret/trick/lesson/takeaway/difference]", "why does this matter",
    "why [is/does/did] this", "so what", "what happened", "how did [they/she/he/we] do it",
    "what does [this/that] mean", "why [do/does/did] the best", "how [do/does/did] the best",
    "what do the best",
]

# A follow-on sentence that only confirms or offers options for the ask before it.
FOLLOW_ON = [
    "does that work", "would that work", "does [this/that/it] work for you", "sound good", "sounds good",
    "make sense", "fair", "either way", "let me know (either way)",
    "let me know if [that's/this is/it's/that would be/it would be/that is] (at all) [helpful/useful/relevant/of interest]",
    "if not", "if so", "or", "any time", "anytime",
]

# What an ask is about, so two questions about the same meeting count as one ask.
ASK_TOPICS = {
    "referral": [
        "right person",
        "best person",
        "who [owns/handles/runs/manages/leads/should/would/is]",
        "point me",
        "introduce",
        "intro",
        "connect me",
        "loop in",
        "forward this",
    ],
    "send": [
        "send",
        "share",
        "deck",
        "case study",
        "pricing",
        "price",
        "quote",
        "proposal",
        "one-pager",
        "report",
        "order form",
        "contract",
        "sign",
        "docs",
        "documentation",
        "data",
        "numbers",
        "sample",
        "list",
        "spreadsheet",
        "access",
        "login",
        "invoice",
        "po",
    ],
    "trial": ["try", "trial", "pilot", "test", "sign up", "sandbox", "beta", "free account"],
    "meeting": [
        "call",
        "chat",
        "meet",
        "meeting",
        "demo",
        "time",
        "mins",
        "min",
        "minutes",
        "talk",
        "coffee",
        "lunch",
        "zoom",
        "teams",
        "calendar",
        "slot",
        "free",
        "available",
        "availability",
        "schedule",
        "book",
        "catch up",
        "walk you through",
        "show you",
        "hop on",
        "jump on",
        "connect",
        "speak",
        "sit down",
    ],
    "feedback": ["thoughts", "feedback", "think", "opinion", "take", "interest", "interested", "worth"],
}

# Time and option words: a question made only of these offers slots for the ask before it.
OPTION_WORDS = [
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "mon", "tue", "tues", "wed",
    "thu", "thur", "thurs", "fri", "today", "tomorrow", "tonight", "week", "morning", "afternoon", "evening",
    "am", "pm", "noon", "eod", "or", "either", "slot", "zoom", "phone", "call", "video", "teams", "meet",
    "in person", "coffee",
]

# ask.reason: words that carry a real reason (a need, timing, or why it matters to the reader).
REASONS = [
    "because", "since [you/you're/your/we/we're/our/the/it/it's/they/they're/I/I'm/he/she/this/that]",
    "so (that) [we/you/your team/I/they] [can/could/will/won't/don't]", "in order to", "need", "needs",
    "have to", "has to", "must", "deadline",
    "due [on/by/next/this/in/Monday/Tuesday/Wednesday/Thursday/Friday]", "ahead of", "in time for", "before",
    "renewal", "renews", "expires", "got [it/them/theirs/hers/his/ours] (down) to",
    "same [pattern/problem/issue/thing/question]",
    "by [Friday/Monday/Tuesday/Wednesday/Thursday/the end/end of/EOD/EOW/next week/the 1st/the 15th/month-end/quarter-end]",
    "coming up", "[board/budget/planning/QBR] [meeting/presentation/deck/review/cycle/call]",
    "lock [down/in] (the) [budget/numbers/plan/date/details]", "[renewal/contract] [is/comes] up",
    "[this/next] quarter", "end of (the) [quarter/month/year]", "[launch/launching/go-live]",
    "[saw/noticed/read/heard/see] (that) [you/you're/your]", "[saw/noticed/read/heard] about your",
    "congrats on", "congratulations on", "given (that) [you/your]",
    "as you [scale/grow/hire/open/expand/move/head into/prepare/roll out/ramp/build/add]",
    "[you're/you are] [hiring/opening/expanding/launching/moving/scaling/growing/rolling out/migrating/switching/raising/building/adding/evaluating/replacing]",
    "with your [launch/move/expansion/new/raise/hiring/opening/migration/renewal/IPO]",
    "you [mentioned/said/asked/told me]",
    "your [team/reps/sellers/customers] [are/is/were/spend/lose/waste/miss]",
    "[could/would/will/can] [save/cut/help/free up/double/halve] [you/your]",
    "helped … [cut/save/grow/double/reduce/increase/halve/ship]", "[we're/we are] [trying/working] to",
    "the reason", "which is why", "that's why", "why it matters", "worried about", "[costs/cost] you",
]

# ask.reason: a "because" that gives no reason (Langer's "because I have to make some copies").
PLACEBO_REASONS = [
    "because [I/we/I'd/we'd] (really/just) [want/wanted/would like/like/love/would love/need/have/hope/am hoping] to [talk/chat/connect/speak/meet/ask/reach out/touch base/introduce/show/get in touch/learn more/make some copies/pick your brain/catch up/discuss/hop on a call/set up a call/find time]",
    "because [I'm/I am/we're/we are] [reaching out/following up/writing/curious/interested]",
    "because I have a question", "because it would be (great/nice/good) to [connect/chat/talk/meet]",
    "because [I/we] think [you'd/you would/you'll] (really) [like/love/enjoy] it",
]

# tone.extreme: gushing words; two in a sentence or three in an email is a stack.
GUSH = [
    "amazing", "incredible", "incredibly", "unbelievable", "revolutionary", "revolutionize", "game-changing",
    "game changer", "game-changer", "groundbreaking", "ground-breaking", "best-in-class", "world-class",
    "cutting-edge", "mind-blowing", "mind blowing", "awesome", "fantastic", "phenomenal", "extraordinary",
    "unparalleled", "unmatched", "insanely", "super excited", "so excited", "thrilled", "ecstatic",
    "absolutely love", "blown away", "best ever", "the best", "the most", "next-level", "next level",
    "life-changing", "magical", "stunning", "jaw-dropping", "killer", "epic", "massive", "huge", "literally",
    "beyond excited", "truly", "transformational", "transformative", "disruptive",
]

# tone.extreme: hostile words; one is enough.
HOSTILE = [
    "unacceptable", "ridiculous", "ridiculously", "incompetent", "incompetence", "pathetic", "stupid",
    "idiotic", "outrageous", "absurd", "furious", "disgusted", "disgraceful", "waste of (my/our) time",
    "useless", "shameful", "you people", "I demand", "last chance", "get your act together",
    "what's wrong with you", "how dare you", "fed up", "sick of", "terrible", "awful", "garbage", "clueless",
    "lazy",
]

# format.shouting: all-caps words that are acronyms, not shouting.
ACRONYMS = """
ASAP FYI HTML HTTP HTTPS JSON YAML REST SOAP GRPC OAUTH SAML SCIM HIPAA GDPR CCPA FINRA FERPA
NIST FEDRAMP ITAR CMMC AICPA GAAP IFRS SOX PCI NASA NATO NYSE NASDAQ EMEA APAC LATAM DACH AMER
NORAM CISO CIOS CEOS CFOS CTOS KPIS OKRS RFPS EBITDA SAAS PAAS IAAS TLDR IIRC IMHO FOMO SMTP IMAP
DKIM DMARC CSAT NRR GRR YOY QOQ MOM ARPU ARPA CAGR UNICEF UNESCO FIFA IKEA LEGO NVIDIA ASML SOC2
AWS GCP CRM ERP HRIS ATS CPQ SDR BDR ICP TAM SAM SOM PLG GTM MQL SQL SQLS MQLS ACV ARR MRR LTV CAC
NPS ROI TCO SLA MSA NDA SOW DPA BAA POC RFP RFI RFQ IPO LLC INC LLP GMBH PLC USA NYC UAE EOD EOW
EOM EOQ EOY OOO PTO WFH UTC PST EST CST MST GMT CET BST ISO SOC API SDK CLI URL CSV XLSX PDF DOCX
PPTX SMS VOIP CPA CPC CPM CTR SEO SEM PPC ABM ABX MEDDIC MEDDPICC BANT SPIN SPICED CHAMP GPT
LLM NLP AIOPS DEVOPS MLOPS SRE QBR EBR OKR KPI CEO CFO CTO COO CRO CMO CPO VPE CHRO HIPPA ESG
HITRUST FISMA CJIS TISAX IRAP NERC CSA STAR PHI PII EHR EMR HL7 FHIR ICD CPT DTC CPG FMCG HVAC OSHA FDA HHS NHS IRS HMRC VAT IBAN SWIFT SEPA ACH BACS FICO UCAAS CCAAS
"""

# read.grade: plain words to offer in place of long ones.
PLAIN_WORDS = {
    "utilize": "use",
    "utilise": "use",
    "utilization": "use",
    "facilitate": "help",
    "approximately": "about",
    "additional": "more",
    "assistance": "help",
    "commence": "start",
    "demonstrate": "show",
    "endeavor": "try",
    "endeavour": "try",
    "functionality": "features",
    "implement": "set up",
    "implementation": "rollout",
    "individuals": "people",
    "leverage": "use",
    "methodology": "method",
    "numerous": "many",
    "opportunity": "chance",
    "optimize": "improve",
    "optimization": "tuning",
    "organization": "team",
    "organizational": "team",
    "participate": "join",
    "participating": "joining",
    "potential": "possible",
    "prioritize": "rank",
    "purchase": "buy",
    "regarding": "about",
    "subsequently": "then",
    "sufficient": "enough",
    "terminate": "end",
    "transformation": "change",
    "communicate": "talk",
    "communication": "note",
    "collaborate": "work together",
    "collaboration": "teamwork",
    "consequently": "so",
    "comprehensive": "full",
    "capabilities": "features",
    "initiative": "project",
    "initiatives": "projects",
    "requirements": "needs",
    "efficiency": "speed",
    "effectiveness": "results",
    "particularly": "mostly",
    "presentation": "talk",
    "information": "details",
    "significantly": "a lot",
    "significant": "big",
    "accelerate": "speed up",
    "infrastructure": "systems",
    "operational": "day-to-day",
    "strategic": "key",
}

# merge.unfilled: words that make a bracketed name a template field, not a footnote or a tag.
FIELD_WORDS = """
name first last firstname lastname fname lname fullname company companyname organization org
organisation title jobtitle role position city state country date time day industry product
competitor pain painpoint insert your their recipient prospect contact account link url calendar
email phone sender signature department website mutual connection customer client value prop
benefit metric result event trigger personalization personalisation custom placeholder
"""

# merge.unfilled: HTML tag names, so `<b>` in a plain-text paste is not a field.
HTML_TAGS = """
a abbr b big blockquote body br center code div em font h1 h2 h3 h4 h5 h6 head hr html i img
li link meta ol p pre s small span strong style sub sup table tbody td th thead title tr u ul
"""

# ask: a question that starts like this is put to the reader even without "you" ("Worth a call?").
ASK_STARTERS = [
    "do", "does", "did", "can", "could", "would", "will", "is", "are", "any", "have", "has", "should",
    "shall", "worth", "interested", "open", "free", "thoughts", "up for", "keen", "fancy", "want", "mind",
    "ok", "okay", "make sense", "sound", "how about", "what about",
]

# ask.multiple: words that carry no new ask in a follow-on ("Does Thursday at 2 work for you?").
OPTION_GLUE = """
does do would will is are was work works working better best for you your at on in the a an this next that
how about what good ok okay fine great suit suits let me know if either one of those these then there sometime
some time around later early late quick
"""

# ask.reason: a bare purpose is no reason ("15 minutes so we can chat").
PURPOSE_ONLY = [
    "so (that) [we/I] can [chat/talk/discuss/connect/meet/catch up/hop on a call/find time/set up a call/get to know each other/touch base]",
]

# ask.reason: an event with a date is timing ("the pilot starts on the 12th", "renewal is up in May").
EVENT_VERBS = [
    "start", "starts", "starting", "begin", "begins", "open", "opens", "opening", "close", "closes",
    "closing", "meet", "meets", "lock", "locks", "end", "ends", "launch", "launches", "kick off", "kicks off",
    "is up", "are up", "goes live", "go live", "land", "lands", "fill up", "fills up",
]
WEEKDAYS = [
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
]
MONTHS = [
    "january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
    "november", "december",
]
DATES = [
    *WEEKDAYS,
    *MONTHS,
    "q1",
    "q2",
    "q3",
    "q4",
    "h1",
    "h2",
    "next week",
    "next month",
    "next quarter",
    "next year",
    "tomorrow",
    "today",
]

# ask.reason: a result with a number is why it matters to the reader ("cut churn 20%");
# the seller's own trophies ("won two awards", "raised $20M") are not.
RESULT_VERBS = [
    "save", "saves", "saved", "cut", "cuts", "reduce", "reduced", "reduces", "reduction", "double", "doubled",
    "halve", "halved", "grow", "grew", "lift", "lifted", "increase", "increased", "boost", "boosted", "drop",
    "dropped", "closed", "achieve", "achieved",
]

# ask: a question after these words is someone else's ("A CFO asked me: 'Why…?'").
QUOTE_INTROS = [
    "asked", "asks", "asking", "wondered", "wonders", "wanted to know", "the question",
]

# ask.reason: numbers written as words still make a result ("closed their findings in one quarter").
NUMBER_WORDS = [
    "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "half", "twice", "a third",
    "a quarter", "a day", "a week",
]
# fmt: on

#!/usr/bin/env python3
"""Builds data/sample/yahoo_sample.csv, Veredicto's own small sample dataset.

The file has the layout of yahoo_answers_csv: headerless CSV with the four
columns class,title,content,best_answer; every field double-quoted, a quote
inside a field doubled, and a newline inside a field written as the two
characters backslash + n, so every row is exactly one line. class is 1..10:

   1 Society & Culture        6 Sports
   2 Science & Mathematics    7 Business & Finance
   3 Health                   8 Entertainment & Music
   4 Education & Reference    9 Family & Relationships
   5 Computers & Internet    10 Politics & Government

All text is original to this project. Rows are assembled from the sentence
banks below (one set per category, so answers in a category share vocabulary)
plus a few hand-written rows per category. The output is deterministic: a
fixed seed, no set iteration, no clock. Run it again and the file is
byte-identical.

Usage: python3 scripts/make_sample.py [output.csv]
       (default output: data/sample/yahoo_sample.csv next to this script's repo)
"""
import csv
import os
import random
import statistics
import sys
import unicodedata

SEED = 20070517
GENERATED_PER_CATEGORY = 32
EMPTY_CONTENT_FRACTION = 0.10

# One designated long answer per category (target word counts).
LONG_TARGETS = {1: 430, 2: 1060, 3: 480, 4: 560, 5: 1010, 6: 415, 7: 650, 8: 450, 9: 520, 10: 760}

CATEGORY_NAMES = {
    1: "Society & Culture",
    2: "Science & Mathematics",
    3: "Health",
    4: "Education & Reference",
    5: "Computers & Internet",
    6: "Sports",
    7: "Business & Finance",
    8: "Entertainment & Music",
    9: "Family & Relationships",
    10: "Politics & Government",
}

# ---------------------------------------------------------------------------
# Shared banks
# ---------------------------------------------------------------------------

TITLE_TEMPLATES = [
    "What do you think about {t}?",
    "Can someone explain {t} to me?",
    "Question about {t}??",
    "Is it true what they say about {t}?",
    "Where can I find good information on {t}?",
    "Need advice on {t} please!",
    "{T} - any thoughts?",
    "why is {t} such a big deal",
    "Anyone here know much about {t}?",
    "{T}: help needed!!!",
]

GENERIC_CONTENTS = [
    "Please help!!",
    "Thanks in advance.",
    "Any advice would be appreciated 🙂",
    "I've looked everywhere and can't find a straight answer.",
    "Serious answers only please.",
    "10 points for the best answer!",
    "I asked my friends but they all say different things...",
    "Is this normal?",
    "Sorry if this is a dumb question.",
    "Details would be nice, not just yes or no.",
    "I'm from the UK if that matters.",
    "EDIT: thanks everyone for the answers so far!",
    "My teacher couldn't explain it either.",
]

OPENERS = [
    "Great question!",
    "I had the same problem last year.",
    "Honestly, it depends.",
    "Here's what I know:",
    "Ok so...",
    "From my own experience:",
    "I'm not an expert, but here goes.",
    "Short answer: yes.",
    "Short answer: no.",
    "Lol, good question.",
    "Well…",
    "This comes up a lot.",
    "Let me try to explain.",
    "Hi there!",
    "Good on you for asking.",
]

CLOSERS = [
    "Hope this helps!",
    "Good luck!",
    "Hope that helps 🙂",
    "Good luck, and let us know how it goes.",
    "Just my 2 cents.",
    "Best of luck to you!!",
    "Take care.",
    "Cheers!",
    "Hope this helps... it worked for me.",
    "Don't give up!",
    "I hope I answered your question.",
    "Feel free to email me if you have more questions.",
    "Thanks for asking, by the way.",
    "That's all I know, sorry it's not more.",
    "Good luck — you've got this!",
]

GENERIC_SHORT = [
    "Yes.",
    "No.",
    "Yes, definitely!",
    "No way.",
    "It depends.",
    "Google it.",
    "No idea, sorry.",
    "Maybe?",
    "Absolutely!",
    "I don't think so.",
    "Same here lol",
    "Who knows…",
    "Not really.",
    "Ask someone who knows more than me 🙂",
    "100% yes",
]

TOPIC_SENTENCES = [
    "I did a school project on {t} once, and it turned out to be more interesting than I expected.",
    "People have strong opinions about {t}, so you'll probably get very mixed answers here.",
    "Wikipedia has a decent article on {t} that explains the basics.",
    "My cousin knows a lot about {t}, and this is more or less what she told me.",
    "When it comes to {t}, the details really matter.",
    "There's a lot of bad information about {t} online, so be careful what you believe.",
]

# Topic-neutral sentences used to pad the long answers.
FILLER = [
    "Let me explain this in a bit more detail, because the short version leaves out a lot.",
    "First of all, it helps to understand the background before jumping to conclusions.",
    "A lot of people get this wrong, so don't feel bad about asking.",
    "I've read quite a bit about this over the years and talked to people who know more than I do.",
    "There are really two parts to your question, and they have different answers.",
    "The first part is fairly simple, but the second part is where it gets interesting.",
    "To be fair, there are good arguments on both sides.",
    "If you only remember one thing from this answer, remember the last paragraph.",
    "Things have changed a lot in the last ten or twenty years.",
    "Of course, every situation is a bit different, and the details matter.",
    "When I first looked into this, I was surprised by how much conflicting information is out there.",
    "It's worth checking more than one source, because websites often copy each other's mistakes.",
    "Another thing people forget is that context matters a lot.",
    "Here is an example that might make it clearer.",
    "Imagine you're explaining this to a friend who has never heard of it.",
    "That might sound complicated, but it's really not once you see it in action.",
    "The important thing is not to panic and to take it one step at a time.",
    "Some people will tell you the opposite, and they might have had a different experience.",
    "In my experience, the simple solution is usually the right one.",
    "There's also a practical side to this that textbooks don't mention.",
    "I learned this the hard way, so hopefully you won't have to.",
    "It also depends on where you live, since rules and habits vary from country to country.",
    "You might also want to ask someone locally who can look at your exact situation.",
    "Keep in mind that none of this happens overnight.",
    "Most of the advice you find online is either too general or too specific to be useful.",
    "Don't be afraid to try something, see what happens and adjust.",
    "Whatever you decide, write it down so you can look back later and see what worked.",
    "There are whole books on this subject, so this is only a short summary.",
    "I'll try to keep it simple and skip the technical parts.",
    "A good rule of thumb is to start small and build from there.",
    "It sounds obvious, but it's the step most people skip.",
    "I've seen this go well and I've seen it go badly, and the difference was usually preparation.",
    "That's the general idea, but there are exceptions.",
    "The short version is above; the long version is below, for anyone who's interested.",
    "One more thing: be patient with yourself.",
    "It took me a while to understand this too, so don't worry if it doesn't click right away.",
    "None of this is a secret, but it's rarely explained clearly.",
    "Some of this is opinion, so take it with a grain of salt.",
    "Another way to look at it is to ask what would happen if you did nothing at all.",
    "Sometimes the best thing you can do is to wait a week and then look at it again with fresh eyes.",
    "I know this is a lot of text, but the question deserves a proper answer.",
    "Thanks for reading this far — I know it's a long answer!",
]

# ---------------------------------------------------------------------------
# Per-category banks
# ---------------------------------------------------------------------------

CATEGORIES = {}

CATEGORIES[1] = dict(
    topics=[
        "Halloween traditions", "learning sign language", "the meaning of life", "arranged marriages",
        "tipping in restaurants", "Greek mythology", "wedding customs in Japan", "Ramadan fasting",
        "tattoos at work", "the origin of April Fools' Day", "Día de los Muertos", "Buddhist meditation",
        "superstitions",
    ],
    titles=[
        "Why do people throw rice at weddings?",
        'What does it mean when someone says "bless you" after a sneeze?',
        "Is it rude to not take your shoes off in someone's house?",
        "How do you say 'thank you' in as many languages as possible?",
        "Do you believe in fate or do we make our own choices?",
        "What's the story behind Santa Claus?",
        "Why is the number 13 considered unlucky?",
        "How do people celebrate New Year in Москва?",
        "Where did the word “OK” come from?",
        "Is it okay to wear white to a wedding as a guest?",
        "what religion has the most followers in the world",
        "Why do some cultures eat with their hands?",
    ],
    # title_answers[i]: index in answers of the sentence that answers titles[i]
    title_answers=[35, 20, 6, 32, 5, 27, 18, 26, 28, 8, 7, 34],
    contents=[
        "My friend says it started in Ireland but I think it's older than that.",
        "I'm writing a paper on {t} and need some sources.",
        "My grandmother always did this and I never asked her why.",
        "We are moving to São Paulo next month and I don't want to offend anyone.",
        "Just curious, no right or wrong answers here.",
        "I heard it has something to do with ancient Rome?",
        "Please be respectful, I'm genuinely asking.",
        "I've been reading about {t} for a while and I'm still confused.",
    ],
    answers=[
        "Most traditions like this started as religious rituals and slowly turned into social habits that people follow without thinking.",
        "In many cultures the custom is meant to bring good luck, fertility or a long life to the people involved.",
        "Anthropologists usually say that rituals hold a community together by giving everyone a shared story.",
        "My grandmother was from a small village near Porto and she told me they did the same thing every spring.",
        "The word itself comes from Old English, and the meaning has shifted a lot over the centuries.",
        "Different religions answer that question in different ways, and none of them can really be proven.",
        "In Japan it's polite to bow slightly, and taking your shoes off at the door is expected in almost every home.",
        "Christianity, Islam and Hinduism are the three largest religions, with Buddhism not far behind.",
        "If you are a guest, the safest thing is to watch what your hosts do and simply copy them.",
        "Tipping is normal in the US, usually 15–20%, but in much of Europe a few coins or rounding up the bill is enough.",
        "A lot of holidays we celebrate today were placed on top of older pagan festivals on purpose.",
        "Language shapes how people see the world, but it doesn't lock them into one way of thinking.",
        "The Greeks had a myth for almost everything, from thunder (Zeus) to the changing seasons (Persephone).",
        "Respect goes a long way: people rarely get offended when they can see you're trying.",
        "In Mexico, Día de los Muertos is a joyful celebration where families build altars with photos, candles and marigolds.",
        "During Ramadan, Muslims fast from dawn until sunset and break the fast together with dates and water.",
        "Some customs survive only because nobody wants to be the first person to stop doing them.",
        "Meditation in the Buddhist tradition is less about emptying your mind and more about noticing what is already there.",
        "Superstitions about the number 13 go back at least to the Middle Ages, and many hotels still skip the 13th floor.",
        "Sign language is a full language with its own grammar, not just English spelled out with the hands.",
        "The phrase “bless you” probably dates from a time when people thought a sneeze could let your soul escape.",
        "Every generation thinks the next one is losing its values, and every generation turns out mostly fine.",
        "Tattoos used to be linked to sailors and prisoners, but today lots of teachers, doctors and lawyers have them.",
        "Arranged marriages are still common in parts of South Asia, and many couples say they are quite happy.",
        "Culture is not something you have or don't have; it's the sum of small habits you picked up growing up.",
        "When I lived in Zürich, people were very punctual and being five minutes late was considered rude.",
        "In Москва people give an odd number of flowers as a gift, because even numbers are for funerals.",
        "Santa Claus is based on Saint Nicholas, a 4th-century bishop from what is now Turkey.",
        "Try reading about it in a good encyclopedia first and then look at the sources listed at the bottom.",
        "There is no single correct answer, because the meaning of a custom depends on who is practicing it.",
        "My family is half Italian and half Irish, so our holidays are loud, long and full of food.",
        "Religion and culture are mixed together so deeply that it's often hard to say where one ends and the other begins.",
        "A simple “thank you” in the local language — gracias, merci, danke, obrigado, спасибо — makes a great impression.",
        "The custom probably spread along trade routes, just like spices, stories and recipes did.",
        "Eating with your right hand is normal in India and much of the Middle East, and it's considered cleaner than it sounds.",
        "The rice at weddings is an old fertility symbol, though many churches now ask guests to throw petals or bubbles instead.",
        "If you want to understand a culture, learn its jokes; humor tells you what people really care about.",
        "Some scholars think April Fools' Day started when France moved New Year to January 1st in 1564.",
        "People often forget that traditions change constantly; what feels ancient might only be 100 years old.",
        "At the end of the day, be curious, ask questions politely and don't assume your way is the normal way.",
    ],
    short=["It's a tradition, that's all.", "Good luck charm.", "Ask a priest or a rabbi.", "Respect their customs 🙂"],
)

CATEGORIES[2] = dict(
    topics=[
        "black holes", "the Pythagorean theorem", "photosynthesis", "why the sky is blue", "prime numbers",
        "DNA replication", "the speed of light", "boiling water at high altitude", "quadratic equations",
        "plate tectonics", "logarithms", "the periodic table", "global warming", "Newton's laws",
    ],
    titles=[
        "What is 0.999... repeating equal to?",
        "How long would it take to drive to the Moon at 100 km/h?",
        "Why does ice float on water?",
        "Help with calculus homework: derivative of x² · sin(x)?",
        "Is a tomato a fruit or a vegetable, scientifically?",
        "How many stars are there in the Milky Way?",
        "What is the difference between weight and mass?",
        "Why do we have leap years?",
        "Can someone solve 3x + 7 = 22 step by step?",
        "How hot is the center of the Earth in °C?",
        "what is Avogadro's number used for",
        "Why is division by zero undefined?",
    ],
    # title_answers[i]: index in answers of the sentence that answers titles[i]
    title_answers=[22, 23, 1, 8, 11, 12, 3, 15, 7, 14, 20, 13],
    contents=[
        "I have a test on {t} next week and I still don't get it.",
        "My textbook explains it but it's way too technical.",
        "I tried working it out myself and got 7.5 but the answer key says 15.",
        "Can someone explain it like I'm 10?",
        "My little brother asked me and I realized I don't actually know.",
        "We did an experiment in class and the result didn't match the theory.",
        "Please show the steps, not just the answer.",
        "I'm just curious about {t}, not for homework.",
    ],
    answers=[
        "Light from the Sun hits molecules in the air and the short blue wavelengths get scattered much more than the red ones.",
        "Ice is less dense than liquid water because the molecules lock into a hexagonal lattice with a lot of empty space.",
        "The Pythagorean theorem says that a² + b² = c² for any right triangle, where c is the hypotenuse.",
        "Mass is the amount of matter in an object, while weight is the force gravity puts on that mass.",
        "Photosynthesis uses sunlight, water and carbon dioxide to make glucose, and oxygen is released as a by-product.",
        "A black hole forms when a massive star collapses and its gravity becomes so strong that not even light can escape.",
        "The speed of light in a vacuum is about 299,792 km per second, or roughly 186,000 miles per second.",
        "Subtract 7 from both sides to get 3x = 15, then divide both sides by 3, so x = 5.",
        "Using the product rule, the derivative of x² · sin(x) is 2x · sin(x) + x² · cos(x).",
        "A prime number has exactly two divisors, 1 and itself, so 2, 3, 5, 7 and 11 are prime but 9 is not.",
        "Water boils at a lower temperature at high altitude because the air pressure is lower, around 90 °C in the mountains.",
        "Botanically a tomato is a fruit because it develops from the flower and contains seeds.",
        "Our galaxy probably contains somewhere between 100 and 400 billion stars, but nobody has counted them.",
        "Division by zero is undefined because no number multiplied by zero gives you anything other than zero.",
        "The Earth's inner core is about 5,400 °C, which is roughly as hot as the surface of the Sun.",
        "Leap years exist because a year is about 365.2422 days long, not exactly 365.",
        "Newton's first law says an object keeps moving in a straight line unless a force acts on it.",
        "Force equals mass times acceleration, F = m × a, which is Newton's second law.",
        "DNA copies itself by unzipping into two strands, and each strand acts as a template for a new one.",
        "Plate tectonics explains earthquakes, volcanoes and mountain ranges as the edges of huge moving slabs of crust.",
        "Avogadro's number, about 6.022 × 10^23, tells you how many particles are in one mole of a substance.",
        "A logarithm just asks what power you need: log base 10 of 1000 is 3 because 10³ = 1000.",
        "0.999... repeating is exactly equal to 1, since 1/3 = 0.333... and three times that is 0.999...",
        "At 100 km/h it would take about 160 days of nonstop driving to cover the 384,400 km to the Moon.",
        "The periodic table is organized by atomic number, and elements in the same column behave similarly.",
        "Greenhouse gases like CO2 and methane trap heat that would otherwise radiate back into space.",
        "Always check your units, because half of all physics mistakes come from mixing meters and centimeters.",
        "If you draw a diagram first, most geometry problems become a lot easier to see.",
        "Evolution by natural selection means that organisms better suited to their environment leave more offspring.",
        "Sound travels at about 343 m/s in air at 20 °C, which is why you see lightning before you hear thunder.",
        "The quadratic formula is x = (-b ± sqrt(b² - 4ac)) / 2a, and it works for any quadratic equation.",
        "An atom is mostly empty space; if the nucleus were a marble, the electrons would be somewhere in a stadium around it.",
        "Entropy is a measure of how many ways a system can be arranged, and it tends to increase over time.",
        "Scientists use the Greek letter Δ (Δέλτα, delta) to mean a change in something, like Δt for a change in time.",
        "Ωmega (Ω) is the symbol for ohms, the unit of electrical resistance, named after Georg Ohm.",
        "Half of 3 is 1½, and 10 ÷ 4 is 2.5, in case anyone else is confused by the fractions.",
        "Viruses are not considered fully alive because they can't reproduce without a host cell.",
        'A good way to remember the order of the planets is the sentence "My Very Educated Mother Just Served Us Noodles".',
        "You can check your answer by plugging it back into the original equation.",
        "The Ñandú, or greater rhea, is a flightless bird from South America that can run at about 60 km/h.",
        "Khan Academy (https://www.khanacademy.org) has free videos that explain this much better than most textbooks.",
    ],
    short=["x = 5", "It's exactly 1.", "About 9.8 m/s²", "Yes, it's a fruit."],
)

CATEGORIES[3] = dict(
    topics=[
        "losing weight fast", "getting rid of a cold", "insomnia", "back pain from sitting", "drinking enough water",
        "vitamin D", "adult acne", "knee pain from running", "high blood pressure", "migraines", "quitting smoking",
        "seasonal allergies", "intermittent fasting",
    ],
    titles=[
        "How many hours of sleep do adults really need?",
        "Is it bad to crack your knuckles?",
        "Why does my head hurt when I eat ice cream too fast?",
        "What should my resting heart rate be?",
        "How can I stop snoring??",
        "Is a fever of 38.5 °C dangerous for an adult?",
        "do carrots really improve your eyesight",
        "How do I know if a cut needs stitches?",
        "Is coffee good or bad for you?",
        "What's the best way to treat a sunburn?",
        "How much water should I drink per day?",
        "Why do I always feel tired after lunch?",
    ],
    # title_answers[i]: index in answers of the sentence that answers titles[i]
    title_answers=[0, 4, 8, 5, 14, 9, 10, 11, 12, 13, 29, 15],
    contents=[
        "I've had this for about two weeks now and it's not getting better.",
        "I'm 34, female, and otherwise healthy.",
        "I don't have insurance so I'd rather not go to the doctor unless I have to.",
        "My doctor said it's nothing but I'm still worried.",
        "I've tried everything: tea, rest, pills from the pharmacy...",
        "Is there anything natural I can try for {t}?",
        "It's worse in the morning and better by the evening.",
        "My dad has the same problem so maybe it's genetic?",
    ],
    answers=[
        "Most adults need seven to nine hours of sleep, and going to bed at the same time every night helps a lot.",
        "Drink plenty of water, rest, and give it about a week, because most colds go away on their own.",
        "Antibiotics don't work against viruses, so they won't help with a common cold or the flu.",
        "If the pain lasts more than a few days or gets worse, please see a doctor instead of guessing online.",
        "Cracking your knuckles just releases gas bubbles from the joint fluid, and studies haven't linked it to arthritis.",
        "A normal resting heart rate for adults is between 60 and 100 beats per minute, and athletes are often lower.",
        "Losing weight comes down to eating fewer calories than you burn, ideally about half a kilo per week.",
        "Crash diets usually backfire because your body slows down and you gain the weight back.",
        "Brain freeze happens when something cold touches the roof of your mouth and the blood vessels there react quickly.",
        "A fever of 38.5 °C is usually not dangerous for adults, but go to the ER if it goes above 40 °C or you feel confused.",
        "Carrots contain vitamin A, which is important for your eyes, but they won't fix nearsightedness.",
        "Deep cuts, cuts that gape open or cuts that keep bleeding after ten minutes of pressure probably need stitches.",
        "Up to about 400 mg of caffeine a day, roughly four cups of coffee, seems to be fine for most healthy adults.",
        "For a sunburn, cool showers, aloe vera and ibuprofen help, and stay out of the sun until it heals.",
        "Snoring often gets better if you sleep on your side, lose a little weight and avoid alcohol before bed.",
        "Feeling sleepy after lunch is normal; a big meal full of white bread and sugar makes it worse.",
        "Walking 30 minutes a day is one of the best things you can do for your heart, mood and weight.",
        "Stretch your hamstrings and hip flexors every day if you sit at a desk, because tight muscles pull on your lower back.",
        "Vitamin D comes mostly from sunlight, so people in northern countries often need a supplement in winter.",
        "Quitting smoking is hard, but nicotine patches or gum can double your chances of success.",
        "Don't pop pimples; wash your face twice a day with a gentle cleanser and try benzoyl peroxide.",
        "Migraines can be triggered by stress, skipping meals, bright lights, red wine or lack of sleep.",
        "Keep a small diary of what you eat and how you feel, and bring it to your doctor's appointment.",
        "Allergy pills like cetirizine or loratadine work well for hay fever and usually don't make you drowsy.",
        "High blood pressure has no symptoms at first, which is why it's called the silent killer.",
        "Cutting back on salt, alcohol and stress can lower blood pressure within a few weeks.",
        "Intermittent fasting works for some people, but it's not magic; what you eat still matters.",
        "Knee pain from running is often caused by worn-out shoes or increasing your distance too quickly.",
        "Ice the area for 15–20 minutes a few times a day for the first 48 hours after an injury.",
        "The old rule of eight glasses of water a day is a rough guide; if your pee is pale yellow you're fine.",
        "Fresh fruit, vegetables, whole grains and enough protein will do more for you than any expensive supplement.",
        "I'm a nurse, and honestly the number one thing I tell patients is to sleep more and stress less.",
        "Mental health is health too, so don't be afraid to talk to a counselor or therapist.",
        "Wash your hands with soap for at least 20 seconds; it prevents more illness than almost anything else.",
        "If you have chest pain, shortness of breath or numbness on one side, call emergency services right away.",
        "A doctor can do a simple blood test to check your iron, thyroid and vitamin levels.",
        "Stretching after exercise feels good, but warming up properly before matters more for preventing injury.",
        "My doctor in Zürich told me to take a short walk after every meal, and my energy really improved.",
        "Everyone's body is different, so what works for your friend might not work for you.",
        "Stay away from websites that promise you can lose 10 kg in a week — it's not safe or realistic.",
    ],
    short=["See a doctor.", "Drink more water!", "Sleep 8 hours.", "Ibuprofen and rest."],
)

CATEGORIES[4] = dict(
    topics=[
        "writing a good essay", "studying for finals", "learning French", "getting into college", "the SAT",
        "citing sources in APA", "homeschooling", "learning to type faster", "choosing a major", "scholarships",
        "memorizing vocabulary", "online degrees", "teaching kids to read",
    ],
    titles=[
        "What's the difference between 'affect' and 'effect'?",
        "How many words is a 5 page essay?",
        "Is it 'between you and me' or 'between you and I'?",
        "What does the abbreviation 'e.g.' stand for?",
        "How do I cite a website in MLA format?",
        "What is the longest word in the English language?",
        "Best way to study the night before an exam?",
        "Should I take a gap year before university?",
        "how do you spell the plural of cactus",
        "What are the 7 continents in order of size?",
        "Is a master's degree worth it?",
        "Where can I find free textbooks online?",
    ],
    # title_answers[i]: index in answers of the sentence that answers titles[i]
    title_answers=[0, 1, 2, 3, 10, 27, 5, 11, 8, 9, 12, 13],
    contents=[
        "I'm a junior in high school and I'm starting to panic.",
        "The essay is due Monday and I have nothing yet.",
        "My English teacher marked it wrong but I think I was right.",
        "I need this for a school project on {t}.",
        "I'm 27 and thinking of going back to school.",
        "My grades are okay, mostly B's and a couple of A's.",
        "I learn better from videos than from books.",
        "I'm an international student from Zürich, so English is my third language.",
    ],
    answers=[
        "“Affect” is usually a verb and “effect” is usually a noun: the weather affects my mood, and it has a big effect on me.",
        "A double-spaced page with 12-point font holds about 250–300 words, so five pages is roughly 1,250 to 1,500 words.",
        "It's “between you and me,” because “between” is a preposition and takes the object pronoun.",
        "E.g. comes from the Latin exempli gratia, which means “for example,” while i.e. means “that is.”",
        "Start each paragraph with a clear topic sentence and end the essay by answering the question you asked at the start.",
        "Spread your studying over several days; cramming the night before is the least effective way to learn.",
        "Make flashcards and test yourself, because actively recalling information works much better than rereading notes.",
        "Most colleges care about your grades first, then test scores, essays, recommendations and activities.",
        "The plural of cactus can be either cacti or cactuses, and both are in the dictionary.",
        "By area the continents are Asia, Africa, North America, South America, Antarctica, Europe and Australia.",
        "For MLA, list the author, the page title in quotes, the website name, the date and the URL.",
        "A gap year can be great if you use it to work, travel or volunteer, not just to sit at home.",
        "Whether a master's degree is worth it depends on the field; in engineering and nursing it often pays off.",
        "OpenStax (https://openstax.org) and Project Gutenberg have thousands of free textbooks and classic books.",
        "Your school library probably gives you free access to databases like JSTOR, so ask a librarian.",
        "Learning a language takes daily practice, even just 15 minutes a day with an app and a podcast.",
        "Read your essay out loud before you hand it in; you'll catch awkward sentences and typos.",
        "The SAT is scored out of 1600, and anything above 1200 is better than most test takers.",
        "Scholarships are out there, but you have to apply to a lot of them, even the small $500 ones.",
        "Teachers can tell when you copied from Wikipedia, so put things in your own words and cite the source.",
        "Get a good night's sleep before the test, because your brain stores what you learned while you sleep.",
        "APA format uses the author's last name and the year in the text, like (Smith, 2004).",
        "Homeschooling works well for some families, but kids still need time with other children.",
        "Typing speed improves quickly if you stop looking at the keyboard and practice 10 minutes a day.",
        "Pick a major you're actually interested in; you will study it for four years and it's easier to do well.",
        "A thesaurus helps, but don't use big words just to sound smart if you're not sure what they mean.",
        "In French, café, école and naïve keep their accents, and leaving them out is counted as a spelling mistake.",
        "The longest word in most dictionaries is pneumonoultramicroscopicsilicovolcanoconiosis, a lung disease caused by fine dust.",
        "Break big assignments into small pieces and put each piece on a calendar with its own deadline.",
        "Ask your teacher during office hours; they usually like students who show up with questions.",
        "Community college for two years and then transferring can save you thousands of dollars.",
        "Online degrees from accredited universities are respected, but be careful with schools that only exist online.",
        "Kids learn to read faster when adults read with them every night and let them pick the books.",
        "Use the Pomodoro method: 25 minutes of work, 5 minutes of break, and a longer break every two hours.",
        "Write your outline first, because it's much easier to fix the structure before you have 2,000 words.",
        "A good dictionary like Merriam-Webster or the OED will tell you where a word comes from as well.",
        "Don't be afraid to fail a quiz; it shows you exactly what you still need to work on.",
        "Old exams are the best practice material, so ask if your department keeps copies.",
        "The Greek alphabet starts with Α, Β, Γ, Δ (alpha, beta, gamma, delta), which is where the word alphabet comes from.",
        "Honestly, the students who do best are the ones who go to every class and do a little work every day.",
    ],
    short=["Cacti.", "Look it up in a dictionary.", "Ask your teacher.", "Between you and me."],
)

CATEGORIES[5] = dict(
    topics=[
        "slow laptops", "computer viruses", "building a gaming PC", "learning Python", "home Wi-Fi networks",
        "backing up files", "web hosting", "Windows XP vs Vista", "making a website", "password security",
        "recovering deleted files", "RAM upgrades", "MySpace privacy settings",
    ],
    titles=[
        "Why is my computer so slow after a year?",
        "How do I make a free website?",
        "What does error 404 mean?",
        "Is Linux better than Windows?",
        "How do I take a screenshot on a Mac?",
        "my internet keeps disconnecting every 10 minutes, help!!",
        "What's the difference between RAM and a hard drive?",
        "How do I learn programming from scratch?",
        "Can someone hack my email if I click a link?",
        "What file is my_config.ini and can I delete it?",
        "How do I transfer photos from my phone to my PC?",
        "Is 4GB of RAM enough for gaming?",
    ],
    # title_answers[i]: index in answers of the sentence that answers titles[i]
    title_answers=[0, 19, 2, 10, 9, 7, 3, 5, 11, 13, 16, 17],
    contents=[
        "I'm running Windows XP with 512MB RAM.",
        "It started after I installed some free game from a website.",
        "I already tried restarting it like five times.",
        "Laptop is a Dell, about 2 years old.",
        "I'm not very good with computers so please explain simply.",
        'I get an error message that says "access denied".',
        "I want to learn about {t} but I don't know where to start.",
        "My router is a Linksys and the light keeps blinking orange.",
    ],
    answers=[
        "Uninstall programs you don't use and disable the ones that start automatically when Windows boots.",
        "Run a full scan with a good antivirus program, and then a second opinion scan with a free anti-malware tool.",
        "A 404 error just means the page you asked for doesn't exist on the server anymore, or the URL has a typo.",
        "RAM is short-term memory the computer uses while it's running, and the hard drive stores files permanently.",
        "For a gaming PC the graphics card matters most, then the processor, then at least 8GB of RAM.",
        "Python is a great first language because the syntax is clean and there are tons of free tutorials.",
        "Start with the official tutorial at https://docs.python.org/3/tutorial/ and write small programs every day.",
        "Restart your router and modem, and if that doesn't help, change the Wi-Fi channel in the router settings.",
        "Always back up your files to an external drive or a cloud service; hard drives do fail without warning.",
        "On a Mac, press Command + Shift + 3 for a full screenshot or Command + Shift + 4 to select an area.",
        "Linux is free and very stable, but some games and programs only run on Windows.",
        "Don't click links in emails you weren't expecting, even if they look like they come from your bank.",
        "Use a different password for every site and store them in a password manager.",
        "Files like my_config.ini usually hold settings for a program, so don't delete them unless you know which program owns them.",
        "Deleted files can often be recovered with a tool like Recuva, as long as you haven't written much new data since.",
        "Adding RAM is one of the cheapest upgrades, but check your motherboard manual for the maximum it supports.",
        "Connect your phone with the USB cable and it should show up as a drive in My Computer.",
        "4GB is the bare minimum for games today; 8GB or 16GB makes a big difference.",
        "Set your profile to private and only accept friend requests from people you actually know.",
        "Free hosting sites put ads on your page, so a cheap paid host at $3–5 a month is often worth it.",
        "Learn HTML and CSS first, and then add JavaScript once you understand how a page is structured.",
        "If the fan is loud and the laptop is hot, blow the dust out of the vents with compressed air.",
        "Defragmenting helps old spinning hard drives, but you should never defragment an SSD.",
        "Turn on two-factor authentication for your email; it stops most hacking attempts cold.",
        "In Python you can write for i in range(10): print(i) to print the numbers 0 to 9.",
        "Variable names like user_name or total_count are easier to read than x1 or tmp2.",
        "Check Device Manager for a yellow exclamation mark, which usually means a missing driver.",
        "Firefox and Chrome are both fine browsers; just keep whichever one you use up to date.",
        "Make a system restore point before installing drivers, so you can undo the change if something breaks.",
        "If the blue screen shows a STOP code, write it down and search for it; it tells you what crashed.",
        "A wired Ethernet connection is always more stable than Wi-Fi, especially for online games.",
        "Your ISP might be throttling the connection, so test your speed at different times of day.",
        "Programming is 10% writing code and 90% figuring out why it doesn't work, so be patient.",
        "Vista looks nicer, but XP still runs faster on older machines with less than 1GB of RAM.",
        "Stack Overflow is the best place to search for error messages; someone has almost always had the same one.",
        "Clear your browser cache and cookies if websites load strangely or won't let you log in.",
        "Never download cracked software; it's the most common way people get viruses.",
        "The file __init__.py tells Python that a folder is a package, and it can be completely empty.",
        "A UPS battery backup protects your PC from power cuts and surges, and it's cheap insurance.",
        "If all else fails, back up your files and reinstall Windows; it's faster than chasing every problem.",
    ],
    short=["Reboot it.", "Get a Mac lol", "Run a virus scan.", "Use Ctrl+Z."],
)

CATEGORIES[6] = dict(
    topics=[
        "the World Cup", "free throws", "running a marathon", "the offside rule", "Tiger Woods",
        "getting faster for soccer", "the NBA playoffs", "learning to swim as an adult", "Real Madrid vs Barcelona",
        "cricket rules", "the Tour de France", "choosing a tennis racket", "fantasy football",
    ],
    titles=[
        "Who is the greatest basketball player of all time?",
        "Can someone explain the offside rule in soccer?",
        "How do I train for my first 5K?",
        "Why is a marathon 26.2 miles?",
        "Who will win the Super Bowl this year?",
        "How many players are on a rugby team?",
        "Is golf really a sport?",
        "What's the best way to improve my vertical jump?",
        "How does scoring work in tennis?",
        "Which country has won the most World Cups?",
        "should i play through a sprained ankle",
        "Who was the first athlete to run a mile under 4 minutes?",
    ],
    # title_answers[i]: index in answers of the sentence that answers titles[i]
    title_answers=[1, 0, 4, 3, 36, 5, 10, 8, 6, 2, 9, 7],
    contents=[
        "I'm 16 and play for my school team.",
        "My coach says I need to work on it but doesn't say how.",
        "I've been arguing with my friend about {t} for an hour.",
        "I run about 3 times a week, 5 km each time.",
        "Who do you think and why?",
        "I'm a total beginner, never played before.",
        "Watched the game last night and still can't believe that call.",
        "Looking for opinions from people who actually play.",
    ],
    answers=[
        "A player is offside if they are in the opponent's half and closer to the goal line than both the ball and the second-last defender when the ball is passed.",
        "Michael Jordan, because of his six championships, six Finals MVPs and the way he took over big games.",
        "Brazil has won the World Cup five times, more than any other country.",
        "The marathon is 26.2 miles because the 1908 London Olympics route was set to finish in front of the royal box.",
        "For your first 5K, alternate running and walking for a few weeks and slowly increase the running parts.",
        "Rugby union has 15 players per side and rugby league has 13.",
        "Tennis scoring goes 15, 30, 40 and game, and you need to win by two points.",
        "Roger Bannister ran the first sub-four-minute mile in 1954 at Oxford.",
        "Squats, box jumps and calf raises will add inches to your vertical if you do them three times a week.",
        "Don't play on a sprained ankle; rest, ice, compression and elevation for a few days, then tape it.",
        "Golf is a sport; try walking 18 holes carrying your own bag and tell me it isn't.",
        "Practice your free throws with the same routine every time: same bounces, same breath, same follow-through.",
        "Real Madrid and Barcelona have been rivals for more than a century, and El Clásico is about much more than football.",
        "Cricket looks confusing, but the basic idea is simple: the batting side scores runs and the bowling side tries to get ten players out.",
        "The Tour de France covers about 3,500 km in three weeks, with some mountain stages climbing over 2,000 m.",
        "Pick a tennis racket with a bigger head if you're a beginner; it's more forgiving on off-center hits.",
        "In fantasy football, draft running backs early and don't pick a kicker until the last round.",
        "Speed for soccer comes from short sprints, quick feet drills and working on your first step.",
        "Stretching and a proper warm-up will save you from most pulled muscles.",
        "Learning to swim as an adult is totally normal; a few private lessons will get you comfortable fast.",
        "The home team usually has an advantage because of the crowd, the travel and familiar conditions.",
        "Watch the best players on YouTube and copy their footwork, not their flashy moves.",
        "Sports drinks are only useful if you exercise hard for more than an hour; otherwise water is fine.",
        "My coach always said that games are won in practice, and after 20 years of playing I agree.",
        "The team with the better defense usually wins in the playoffs, because offense goes cold under pressure.",
        "Pelé, Maradona and Messi are usually named as the best footballers, and people argue about the order forever.",
        "São Paulo has some of the most passionate football fans in the world, and a derby there is unforgettable.",
        "In the NBA playoffs each series is best of seven, so a team needs four wins to move on.",
        "Get good running shoes from a specialist store where they watch you run on a treadmill.",
        "Rest days are part of training; your muscles get stronger while they recover, not while you lift.",
        "Tiger Woods changed golf by making fitness and power just as important as touch around the greens.",
        "A hat trick is three goals by the same player in one game.",
        "If you want to be a pro, you need talent, hours of practice and a lot of luck with injuries.",
        "The Olympic motto is “Citius, Altius, Fortius,” which means faster, higher, stronger.",
        "Eat carbs the night before a long race and have a light breakfast about three hours before the start.",
        "Honestly, refs make mistakes, but they get far more calls right than fans give them credit for.",
        "The Super Bowl is really hard to predict; injuries in December change everything.",
        "Keep your head still and your eye on the ball; that's 90% of hitting anything, in any sport.",
        "Join a local club, because playing with people better than you is the fastest way to improve.",
        "Whatever the score, shake hands afterwards; sportsmanship is part of the game 👍",
    ],
    short=["Jordan.", "Brazil, 5 times.", "15 players.", "Messi, easy."],
)

CATEGORIES[7] = dict(
    topics=[
        "paying off credit card debt", "starting a small business", "job interviews", "index funds",
        "filing taxes", "buying a house", "saving for retirement", "asking for a raise", "writing a resume",
        "exchange rates", "selling things on eBay", "401k plans", "stock options",
    ],
    titles=[
        "How do I improve my credit score quickly?",
        "Should I pay off debt or save first?",
        "What is a Roth IRA and should I open one?",
        "How much should I have in an emergency fund?",
        "How do I start investing with only $100?",
        "Is it smart to rent or buy a house right now?",
        "What do I wear to a job interview at a bank?",
        "How do I convert dollars to euros (€)?",
        "Can I work from home and make real money?",
        "what does P/E ratio mean",
        "How much should I ask for when negotiating salary?",
        "Is multi-level marketing a scam?",
    ],
    # title_answers[i]: index in answers of the sentence that answers titles[i]
    title_answers=[0, 1, 2, 3, 4, 5, 6, 7, 21, 8, 9, 10],
    contents=[
        "I make about $35,000 a year and have $8,000 in credit card debt.",
        "I'm 25 and just got my first real job.",
        "My husband and I disagree about this.",
        "I've read a lot online about {t} but it's all so confusing.",
        "I don't want to lose my savings.",
        "I live in Canada, if that matters for the taxes.",
        "The interview is on Thursday and I'm nervous.",
        "Is now a good time or should I wait?",
    ],
    answers=[
        "Pay every bill on time and keep your credit card balances below 30% of the limit; that's most of your score.",
        "Pay off high-interest debt first, because no investment reliably returns 20% a year like a credit card charges.",
        "A Roth IRA lets you invest money you've already paid tax on, and you don't pay tax when you take it out in retirement.",
        "Most advisers suggest an emergency fund of three to six months of living expenses in a savings account.",
        "With only $100, a low-cost index fund is a good start, because it spreads your money over hundreds of companies.",
        "Buying makes sense if you'll stay at least five years; otherwise closing costs eat up the advantage.",
        "For a bank interview, wear a dark suit, polished shoes and keep jewelry simple.",
        "To convert dollars to euros, multiply by the current exchange rate, which you can find on any bank's website.",
        "The P/E ratio is the share price divided by earnings per share, and it shows how much investors pay for each dollar of profit.",
        "Research the typical salary for the job first, and ask for a number slightly above the middle of that range.",
        "Most multi-level marketing companies make money from recruiting, not selling, and most members lose money.",
        "Write a simple business plan with your costs, your prices and how many customers you need to break even.",
        "If your employer matches your 401k contributions, put in at least enough to get the full match; it's free money.",
        "Keep your resume to one page, use action verbs and put your most recent job first.",
        "The earlier you start saving for retirement, the more compound interest does the work for you.",
        "Never invest money you'll need in the next few years in the stock market.",
        "Ask for a raise after a big success, and bring a list of what you achieved this year.",
        "Sell on eBay with clear photos, an honest description and reasonable shipping costs.",
        "Keep all your receipts in one folder; it makes tax season much less painful.",
        "If you're self-employed, set aside about 25–30% of what you earn for taxes.",
        "A budget doesn't have to be complicated: write down what comes in, what goes out and cut one thing.",
        "Work-from-home jobs that ask you to pay upfront are almost always scams.",
        "Stock options give you the right to buy shares at a fixed price, which is great if the company grows.",
        "Diversify: don't put all your savings into one stock, even if it's the company you work for.",
        "The euro (€) is used in 20 countries, but the UK, Switzerland and Sweden still have their own currencies.",
        "In Zürich the cost of living is high, but salaries there are among the highest in Europe.",
        "Credit card interest compounds every month, so a $2,000 balance can cost you hundreds per year.",
        "Send a thank-you email within 24 hours of an interview; it's small but people notice.",
        "Your credit report is free once a year at https://www.annualcreditreport.com, so check it for errors.",
        "Cash flow kills more small businesses than lack of profit does.",
        "Don't quit your day job until your side business covers your basic expenses for several months.",
        "Index funds beat most actively managed funds over 10–15 years, mostly because their fees are lower.",
        "When you negotiate, let the other side name a number first if you can.",
        "Inflation of 3% a year means prices double in roughly 24 years, so cash under the mattress loses value.",
        "A small-business loan is easier to get if you have a track record and some money of your own in the business.",
        "Talk to an accountant once; a one-hour meeting can save you far more than it costs.",
        "If you have several debts, try the avalanche method: pay minimums on all, and extra on the highest interest rate.",
        "The stock market goes up and down, but historically it has returned about 7% a year after inflation.",
        "Get everything in writing, especially when you lend money to friends or sign a lease.",
        "Be patient; getting rich slowly is boring, but it works much more often than getting rich quickly.",
    ],
    short=["Pay your bills on time.", "Index funds.", "Rent for now.", "It's a scam, stay away."],
)

CATEGORIES[8] = dict(
    topics=[
        "learning guitar", "the Harry Potter books", "the ending of Lost", "American Idol", "the Beatles",
        "Star Wars", "horror movies", "writing songs", "the best video games", "anime for beginners",
        "Broadway musicals", "Coldplay's new album", "Johnny Depp movies",
    ],
    titles=[
        'What\'s the name of the song that goes "na na na" in the car commercial?',
        "Who is the best guitarist of all time?",
        "Can you recommend a movie like The Matrix?",
        "Is it too late to learn piano at 30?",
        "What's your favorite Beatles song and why?",
        "Does anyone know when the next Harry Potter movie comes out?",
        "Best horror movies that aren't just gore?",
        "How do I get over stage fright before a concert?",
        "Who sings “Hey There Delilah”?",
        "What are some good bands similar to Radiohead?",
        "lol what is the funniest tv show ever",
        "How do I write lyrics for my own song?",
    ],
    # title_answers[i]: index in answers of the sentence that answers titles[i]
    title_answers=[19, 0, 1, 2, 3, 13, 5, 6, 4, 11, 12, 7],
    contents=[
        "I heard it on the radio this morning and it's stuck in my head.",
        "I'm looking for something to watch this weekend.",
        "I've been practicing for 6 months and I'm not getting better.",
        "My friends and I can't agree on {t}.",
        "No spoilers please!!",
        "I like rock, indie and some jazz.",
        "I'm 30 and I've never played an instrument.",
        "Something like Pirates of the Caribbean but less silly.",
    ],
    answers=[
        "Jimi Hendrix usually tops these lists, but Eric Clapton, Jimmy Page and Eddie Van Halen all have a strong case.",
        "If you liked The Matrix, try Dark City, Inception or the original Ghost in the Shell.",
        "It's never too late to learn piano; adults actually learn the theory faster than kids do.",
        "“In My Life” is my favorite Beatles song, because the lyrics are simple but they hit hard.",
        "“Hey There Delilah” is by the Plain White T's, and it came out in 2006.",
        "The Shining, The Others and Rosemary's Baby are scary without relying on gore.",
        "Stage fright gets better with practice; play for friends first, then small open mic nights.",
        "Start with a true feeling or a small story, and write the chorus first so you know where the song is going.",
        "Learn the basic open chords G, C, D, E minor and A minor, and you can play hundreds of songs.",
        "Press the strings just behind the fret, not on top of it, and the buzzing will stop.",
        "Your fingertips will hurt for the first two weeks, but calluses form quickly if you practice every day.",
        "If you like Radiohead, check out Muse, Portishead, Sigur Rós and Elbow.",
        "The Office and Arrested Development are probably the funniest shows of the last ten years.",
        "The Harry Potter books are better than the movies, simply because they have room for all the details.",
        "The ending of Lost made people angry because it left so many mysteries unanswered.",
        "American Idol is more about the story of the singers than the singing itself.",
        "Star Wars: The Empire Strikes Back is still the best of the series, in my opinion.",
        "Johnny Depp is great in Ed Wood and Edward Scissorhands, not just the pirate movies.",
        "For anime beginners, Cowboy Bebop and Fullmetal Alchemist are easy to love.",
        "Use an app like Shazam; hold your phone up to the speaker and it will name the song in seconds.",
        "Broadway musicals like Wicked and The Lion King are great for a first show, and matinee tickets are cheaper.",
        "Coldplay's newer albums are more pop than their early stuff, but the live shows are amazing.",
        "Record yourself practicing; you'll hear timing problems you don't notice while you're playing.",
        "The best video games tell a story you can't get from a movie, like the first Zelda or Final Fantasy VII.",
        "Check the soundtrack listing on the movie's page on IMDb (http://www.imdb.com); songs from ads are often listed too.",
        "Metronome practice is boring, but it's the fastest way to make your playing sound professional.",
        "Music theory is not a set of rules, it's a way to explain why some sounds work together.",
        "Beyoncé has one of the most powerful live voices in pop music right now.",
        "A lot of classic films are better on a second watch, once you stop trying to guess the twist.",
        "Queen's “Bohemian Rhapsody” is six minutes long and has no real chorus, which is why it's so unusual.",
        "If you write songs, keep a notebook or voice memos with you; good lines come at random moments.",
        "The original version is almost always better than the remake, with a few exceptions like The Thing.",
        "Taking lessons for even three months will fix bad habits before they become permanent.",
        "Concert tickets are cheaper if you buy them the day they go on sale, before resellers get them.",
        "Music from the ’70s still sounds great because it was recorded by real bands playing together in a room.",
        "Listen to the bass line of a song you love and try to play along; it trains your ear quickly.",
        "Movie trailers now show too much, so I stop watching them once I know I want to see the film.",
        "Most famous singers had years of small gigs before anyone noticed them.",
        "Tchaikovsky wrote the music for The Nutcracker, and it's still performed every Christmas from Москва to New York.",
        "Just have fun with it 🎸 — music is supposed to make you happy, not stressed.",
    ],
    short=["Hendrix!!", "The Beatles, duh.", "Try Shazam.", "Never too late 🙂"],
)

CATEGORIES[9] = dict(
    topics=[
        "boyfriends who don't text back", "stepparents", "planning a wedding", "long distance relationships",
        "friends moving away", "telling parents about bad grades", "making friends after college",
        "sharing clothes with siblings", "moving in together", "having a first baby", "crushes on coworkers",
        "breaking up nicely", "teenagers and video games",
    ],
    titles=[
        "How do I know if he really likes me?",
        "My parents are getting divorced, how do I deal with it?",
        "Is it normal to fight with your partner every week?",
        "How do I ask a girl out without making it awkward?",
        "My best friend is ignoring me and I don't know why",
        "What's a good first date idea on a budget?",
        "How do I tell my husband I want to go back to work?",
        "Should I get back together with my ex?",
        "How can I stop being so jealous?",
        "how do u know when its love",
        "My kid won't sleep in his own bed, any tips?",
        "Is it okay to not invite a cousin to my wedding?",
    ],
    # title_answers[i]: index in answers of the sentence that answers titles[i]
    title_answers=[0, 2, 3, 4, 13, 5, 6, 7, 8, 9, 10, 11],
    contents=[
        "We've been together for 3 years and lately things feel different.",
        "I'm 17 and my parents are really strict.",
        "I don't want to hurt anyone's feelings.",
        "He says he's busy but he's always online.",
        "We used to be so close and now we barely talk.",
        "My family doesn't know yet.",
        "I really need advice about {t}.",
        "Please don't judge, I'm trying my best.",
    ],
    answers=[
        "If he makes time for you, asks about your day and remembers the little things, he likes you.",
        "Talk to him directly; guessing what someone feels only makes you more anxious.",
        "Your parents' divorce is not your fault, and it's okay to feel angry and sad at the same time.",
        "Every couple argues, but it matters how you fight: no name-calling, and you both try to understand the other side.",
        "Just be honest and relaxed: ask her if she'd like to get coffee sometime, and accept whatever answer she gives.",
        "A picnic in the park, a walk and ice cream, or cooking dinner together are cheap and fun first dates.",
        "Pick a calm moment, tell him how you feel and what you need, and listen to his worries too.",
        "People usually break up for a reason, so think hard about whether that reason has really changed.",
        "Jealousy often comes from your own insecurity, so work on your confidence instead of checking his phone.",
        "Love is when you want the other person to be happy even when it doesn't benefit you.",
        "Be consistent with bedtime: the same routine every night, and walk him back to his own bed calmly every time.",
        "It's your wedding, and you don't have to invite everyone, but tell the family politely and early.",
        "Long distance can work if you have a plan for when you'll finally live in the same city.",
        "Send a message to your friend asking if everything is okay, without blaming them for anything.",
        "Step-parents often try too hard at first; give her time and try to find one thing you both enjoy.",
        "Tell your parents about your grades before the report card arrives, and bring a plan to fix it.",
        "Making friends as an adult takes effort: join a club, a team or a class and keep showing up.",
        "Set clear rules with your sister about your things, and lock up what you really care about.",
        "Before moving in together, talk about money, chores and how much alone time each of you needs.",
        "A new baby changes everything, so accept help from family and sleep whenever the baby sleeps.",
        "Dating a coworker can get messy, so check your company's policy and keep things professional at work.",
        "When you break up, do it in person, be kind but clear, and don't give false hope.",
        "Limit gaming on school nights and take the console out of his bedroom; it's much easier than arguing every night.",
        "Communication is everything in a relationship, and most problems start when people stop talking.",
        "My husband and I have been married 22 years, and the secret is that we still laugh together every day.",
        "Don't take relationship advice from people whose relationships you wouldn't want.",
        "Give it time; feelings can't be forced, and the right person won't make you beg for attention.",
        "Family counseling helped us a lot when my kids were teenagers, and there's no shame in it.",
        "If someone hits you or threatens you, that is not love; call a hotline and get somewhere safe.",
        "It's normal for friendships to change when people move, but real friends will make the effort.",
        "Text her back when you actually have something to say, not just to keep the conversation going.",
        "Grandparents can be a wonderful help, but agree on the rules for the kids so nobody feels undermined.",
        "A simple “I'm sorry, I was wrong” fixes more arguments than any clever explanation.",
        "Spend time with each child alone, even 20 minutes a week, and they'll feel noticed.",
        "Trust your gut; if something feels off, it probably is.",
        "Plan the wedding budget first, then the guest list, then the venue, in that order.",
        "We got married in a tiny café in Lisbon with 12 guests and it was perfect.",
        "Forgive, but don't forget the lesson, especially if the same thing keeps happening.",
        "Being single for a while is not a failure; it's a chance to figure out what you actually want.",
        "Hang in there 🙂 — things get better, even if it doesn't feel like it right now.",
    ],
    short=["Dump him.", "Just ask her out!", "Give it time.", "Talk to them."],
)

CATEGORIES[10] = dict(
    topics=[
        "the electoral college", "the voting age", "the European Union", "term limits for Congress",
        "the Supreme Court", "immigration reform", "universal health care", "the Iraq war",
        "raising the minimum wage", "the United Nations", "gun control", "lobbying", "the death penalty",
    ],
    titles=[
        "How does the electoral college work?",
        "Why can't the president serve more than two terms?",
        "What does the UN Security Council actually do?",
        "How is a bill passed into law?",
        "Should the voting age be lowered to 16?",
        "What's the difference between a republic and a democracy?",
        "Who pays for the roads in my town?",
        "Can a non-citizen join the US military?",
        "Why does Switzerland have so many referendums?",
        "how many senators does each state get",
        "What happens if the president dies in office?",
        "Is it legal to burn the flag in the United States?",
    ],
    # title_answers[i]: index in answers of the sentence that answers titles[i]
    title_answers=[0, 1, 2, 3, 20, 4, 5, 6, 7, 8, 9, 10],
    contents=[
        "We're discussing {t} in my civics class and I want to understand it better.",
        "I'm not American so please explain simply.",
        "My uncle says one thing and my teacher says the opposite.",
        "I'm not trying to start a fight, I'm honestly asking.",
        "I'm 17 and will vote for the first time next year.",
        "Isn't that against the Constitution?",
        "I read about it in the news and got confused.",
        "Please answer with facts, not opinions.",
    ],
    answers=[
        "Each state gets electors equal to its number of senators plus representatives, and most give all of them to the statewide winner.",
        "The 22nd Amendment, ratified in 1951, limits the president to two elected terms.",
        "The Security Council has 15 members, and the five permanent members can veto any resolution.",
        "A bill has to pass both the House and the Senate in the same form, and then the president signs or vetoes it.",
        "A republic is a system where people elect representatives, and most modern democracies are republics.",
        "Local roads are usually paid for by property taxes and state gas taxes, with some federal money for highways.",
        "Legal permanent residents with a green card can enlist in the US military, but they can't become officers without citizenship.",
        "Switzerland uses direct democracy, so citizens can force a national vote by collecting 100,000 signatures.",
        "Each state has two senators, no matter how big or small it is, so there are 100 in total.",
        "If the president dies, the vice president is sworn in immediately, as set out in the 25th Amendment.",
        "The Supreme Court ruled in 1989 that burning the flag is protected speech under the First Amendment.",
        "Write to your representative; letters and calls from real constituents are counted and they do matter.",
        "Both parties say they want lower taxes and better services, but the details are where they disagree.",
        "Term limits would bring in fresh faces, but they also give more power to lobbyists who never leave.",
        "The European Union started as a coal and steel agreement in the 1950s and now has 27 member states.",
        "The minimum wage debate is about balancing higher pay for workers against the risk of fewer jobs.",
        "Universal health care works differently in every country; Canada, the UK and Germany all use different systems.",
        "Read news from more than one source, including ones you disagree with, before you make up your mind.",
        "Lobbying is legal and protected by the right to petition the government, though many people think it has gone too far.",
        "The death penalty is still used in some US states, but most democracies have abolished it.",
        "Lowering the voting age to 16 has worked in Austria and Scotland without any major problems.",
        "The Constitution was designed with checks and balances so no single branch could become too powerful.",
        "Immigration reform is hard because it mixes economics, security and very personal family stories.",
        "The United Nations can't force countries to do much, but it gives them a place to talk instead of fight.",
        "Gun control laws differ a lot from state to state, so what's legal in Texas may not be legal in New York.",
        "Go to https://www.congress.gov to read the full text of any bill and see how your representative voted.",
        "Governors run their states, mayors run cities, and county officials handle things like courts and property records.",
        "Politicians respond to voters who actually vote, so the best way to be heard is to show up on election day.",
        "The Iraq war started in 2003, and people still argue about whether the intelligence was accurate.",
        "In a parliamentary system the prime minister comes from the party that controls the legislature.",
        "Federal taxes pay for things like the military, Social Security and interstate highways.",
        "A filibuster lets senators delay a vote, and it takes 60 votes to end one.",
        "Ancient Athens is often called the first democracy, though only free adult men could vote there.",
        "The word politics comes from the Greek πόλις (polis), meaning city.",
        "Every vote counts more in local elections, where a few hundred people can decide the result.",
        "Judges on the Supreme Court serve for life so that they don't have to worry about re-election.",
        "In France the president is elected directly, and there's a second round if nobody gets over 50%.",
        "Freedom of speech protects you from the government, not from criticism by other people.",
        "Corruption is a problem everywhere; the difference is whether the courts and the press can expose it.",
        "Whatever your views, stay informed, stay respectful and vote — that's how the system is supposed to work.",
    ],
    short=["Two per state.", "22nd Amendment.", "Vote!", "Read the Constitution."],
)

# ---------------------------------------------------------------------------
# Hand-written full rows: (class, title, content, best_answer)
# ---------------------------------------------------------------------------

HANDWRITTEN = [
    (1, "Why do we say “knock on wood”?",
     "I catch myself doing it all the time and I'm not even superstitious. Where does it come from?",
     "Nobody knows for sure. One popular theory is that people in pagan Europe believed spirits lived in trees, "
     "so knocking on wood either woke them up to ask for protection or kept them from hearing your boast. Another "
     'theory says it comes from a children\'s game called "tiggy touchwood" in 19th-century England, where touching '
     "wood made you safe. Either way, it's a good example of a habit that outlived its original meaning.\n"
     'In Britain people say "touch wood" instead, and in Turkey they pull an earlobe and knock twice — every '
     "culture seems to have its own version."),
    (1, "is it rude to eat before everyone is served?", "",
     'In most Western homes, yes, you wait until the host starts or says "please, go ahead". In a restaurant with a '
     "big group it's fine to start once a few people have their plates, especially if the others tell you to. "
     "When in doubt, wait 🙂"),
    (1, "What's the difference between a tradition and a superstition?",
     "My teacher asked this in class and nobody could answer it properly.",
     "A tradition is something a group does together to remember or celebrate something; a superstition is a "
     "belief that an action causes good or bad luck."),
    (1, "How do people celebrate New Year's Eve in Brazil?", "Going to Rio for the holidays! Any tips?",
     "In Rio almost everyone wears white for luck and peace, and at midnight people go into the sea and jump seven "
     "waves, making a wish for each one. Some also throw flowers into the water for Iemanjá, the goddess of the "
     "sea. Copacabana beach gets over two million people, so get there early and leave valuables at the hotel.\n"
     "If you also visit São Paulo, the big party is on Avenida Paulista — free concerts, fireworks, and a LOT of "
     "people. Feliz Ano Novo!"),

    (2, "Why is the ocean salty but rivers aren't?", "",
     "Rivers are actually a tiny bit salty too. Rain is slightly acidic, so it slowly dissolves minerals from rocks "
     "and carries them down to the sea. When ocean water evaporates, the water leaves but the salt stays behind, "
     "so over millions of years the salt has built up to about 3.5%.\nRivers keep flowing and getting refreshed "
     "by rain, so their salt never has a chance to concentrate."),
    (2, "What's 15% of 80?", "", "12"),
    (2, "How does a rainbow form?", "I know it's light and rain but what exactly happens?",
     "Sunlight is a mix of all colors. When it enters a raindrop it bends (refraction), bounces off the back of "
     "the drop (reflection) and bends again on the way out. Each color bends by a slightly different angle, so "
     "they spread out: red comes out at about 42° and violet at about 40°. That's why you always see a rainbow "
     "with the Sun behind you, and why the colors are always in the same order: red, orange, yellow, green, blue, "
     "indigo, violet.\nA double rainbow happens when the light reflects twice inside the drops, and the colors "
     "in the second bow are reversed."),
    (2, "Help!! what is the square root of 2 to 5 decimal places???", "test tomorrow and my calculator broke",
     "1.41421\n\nQuick check: 1.41421 × 1.41421 = 1.99999..., so it's right. If you need to do it by hand, guess "
     "1.4, then average 1.4 and 2/1.4 and keep repeating — it converges really fast."),

    (3, "Is it bad to sleep with wet hair?", "My mom says I'll catch a cold lol",
     "Colds come from viruses, not wet hair, so your mom is (sorry) wrong on that one. It might make your pillow "
     "damp and your hair messy, but it won't make you sick."),
    (3, "What are the symptoms of dehydration?", "",
     "Thirst, dark yellow urine, headache, feeling dizzy or tired, and a dry mouth. In kids, look for no tears "
     "when crying and fewer wet diapers. Sip water or an oral rehydration drink, and if someone is confused or "
     "can't keep fluids down, get medical help."),
    (3, "How do I start working out if I'm really out of shape?",
     "I'm 42, about 20 kg overweight and get out of breath on stairs. I want to change but the gym scares me.",
     "Good for you for wanting to start! Honestly, you don't need a gym at all at first.\n\n"
     "Week 1–2: walk 20 minutes a day, at a pace where you can still talk.\n"
     "Week 3–4: make it 30 minutes and add a few hills or stairs.\n"
     "Week 5+: add 2 days of simple strength work at home: wall push-ups, chair squats, and holding a plank for "
     "20 seconds.\n\nThe key is doing it consistently, not doing it hard. Most people quit because they go too "
     "hard in the first week and end up sore and discouraged. Also get a quick check-up with your doctor before "
     "you start, especially since you get short of breath — it's probably just fitness, but better to be sure.\n"
     "Food matters more than exercise for weight loss, so cut sugary drinks first; that alone can make a big "
     "difference."),
    (3, "hiccups won't stop!!! help", "",
     "Hold your breath for 10 seconds, then swallow a spoonful of sugar. Works every time for me."),

    (4, "What's the capital of Australia?", "", "Canberra, not Sydney — a lot of people get that one wrong."),
    (4, "How do I write a thesis statement?",
     'My professor keeps writing "unclear thesis" on my papers and I don\'t know what she wants.',
     "A thesis is one sentence that states your main argument, something a reasonable person could disagree "
     'with. "World War I was a big war" is not a thesis. "The alliance system turned a regional conflict into a '
     'world war" is, because you now have to prove it.\nPut it at the end of your introduction, and make sure '
     "every paragraph supports it. Also go to her office hours and ask her to show you an example of a good one "
     "— professors love that."),
    (4, "Is it worth learning Latin?", "",
     "If you like languages, yes. About half of English vocabulary comes from Latin, directly or through French, "
     "so it helps with vocabulary, spelling and grammar in general. It also makes Spanish, Italian, French and "
     "Portuguese much easier later. It won't help you order a café au lait though 🙂"),
    (4, "Best way to memorize the periodic table?", "I have to know the first 20 elements for a quiz on Friday.",
     "Make up a silly sentence with the first letters: H, He, Li, Be, B, C, N, O, F, Ne... There are lots "
     "online, but the ones you invent yourself stick better. Then write them out from memory every day until "
     "Friday."),

    (5, "How do I stop my phone from auto-correcting my name?", "It keeps changing Zoë to Zoe and it drives me crazy",
     "Add your name to the personal dictionary. On most phones it's under Settings > Keyboard > Text Replacement "
     '(or User Dictionary). Type "Zoë" as both the phrase and the shortcut and it should stop changing it.'),
    (5, "What is the best free antivirus?", "",
     "Avast or AVG are both fine, and the one built into Windows is actually decent now."),
    (5, "My Python script says IndentationError, what does that mean?",
     'Here is my code:\ndef greet(name):\nprint("Hello " + name)',
     "Python uses indentation to know which lines belong to a block. Everything inside a function must be "
     'indented, usually by 4 spaces:\n\ndef greet(name):\n    print("Hello " + name)\n\nAlso don\'t mix tabs '
     "and spaces — set your editor to insert 4 spaces when you press Tab and the problem goes away."),
    (5, "Is it safe to use public Wi-Fi at a café?", "",
     "For browsing news it's fine. For banking or shopping, be careful: on an open network other people can "
     "sometimes see unencrypted traffic. Make sure sites use https (the little lock icon), don't accept strange "
     "certificate warnings, and use a VPN if you do it a lot. Also turn off file sharing on your laptop before "
     "you connect."),

    (6, "What's a good breakfast before a soccer game?", "",
     "Oatmeal with a banana and some honey, about 2–3 hours before kickoff. Don't eat anything heavy or greasy."),
    (6, "Why do cyclists shave their legs?", "Serious question, my uncle rides every weekend and does it.",
     "Mostly tradition and practicality. If you crash, road rash is much easier to clean and bandage without "
     "hair. Massage is easier too, and pros get massaged a lot. The aerodynamic benefit is real but tiny unless "
     'you\'re racing. And honestly, some guys just think it looks "pro".'),
    (6, "who won the 1998 World Cup?", "",
     "France beat Brazil 3–0 in the final in Paris. Zidane scored twice, both with headers."),
    (6, "How do I get better at chess quickly?", "I keep losing to my 11 year old brother 😅",
     "1. Stop hanging pieces: before every move, check what your opponent can capture.\n"
     "2. Learn the basic opening principles — control the center, develop knights and bishops, castle early.\n"
     "3. Do 10–15 tactics puzzles a day on a free site.\n"
     "4. Play slower games (15 minutes or more) so you actually think.\n\n"
     "And hey, losing to your brother means he's good, not that you're bad!"),

    (7, "What is the difference between a stock and a bond?", "",
     "A stock is a small piece of ownership in a company: if the company does well, the value goes up and you "
     "might get dividends. A bond is a loan you give to a company or government: they pay you interest and "
     "return the money at the end. Stocks are riskier but usually grow more over the long run; bonds are "
     "steadier."),
    (7, "how do i get a job with no experience", "I'm 19 and every job wants 2 years experience...",
     'Everyone starts somewhere! Apply for entry-level jobs anyway, because "2 years" is often a wish list, not '
     "a rule. Volunteer, do an internship, or take a part-time job in retail or food service — those teach "
     "reliability, and that's what employers really want at first. In your resume, list school projects and "
     "anything where you were responsible for something."),
    (7, "Is gold a good investment?", "",
     "Gold protects against inflation and panics, but it pays no interest or dividends. Keep it to 5–10% of "
     "your portfolio at most."),
    (7, "Moving to Germany for work — how do taxes work there?",
     "I got an offer in München for €62,000 a year. What will I actually take home?",
     "Roughly 60% of the gross, depending on your situation. Germany has income tax (progressive; at your "
     "salary the top marginal rate is about 42%), possibly church tax (8–9% of your income tax if you are "
     "registered as a member of a church!) and social security contributions for pension, health, unemployment "
     "and care insurance — together about 20% of your salary.\n\nSo on €62,000 as a single person you'd get "
     "something like €3,150–3,300 net per month. Use an online Brutto-Netto calculator to get an exact figure, "
     "and don't tick the church box unless you mean it."),

    (8, "Who sang “Don't Stop Believin'”?", "", "Journey, 1981."),
    (8, "Is the book better than the movie for The Lord of the Rings?", "",
     "Depends what you want. The books have way more history, songs and world-building (Tom Bombadil!), but "
     "they're slow in places. The movies cut a lot but the battles, music and landscapes are incredible. I'd say "
     "read the books once and watch the extended editions every Christmas 🙂"),
    (8, "Good songs to learn on ukulele?", "Just got one for my birthday!",
     '"Riptide" by Vance Joy, "I\'m Yours" by Jason Mraz, "Somewhere Over the Rainbow" (the Israel '
     'Kamakawiwo\'ole version), "Hey Soul Sister"... most of them use only 3–4 chords (C, G, Am, F).'),
    (8, "What is the best Pixar movie?", "",
     "Up. The first ten minutes alone are better than most full movies. Close second: Ratatouille — a rat "
     "cooking in a Paris restaurant shouldn't work, but it does."),

    (9, "My mom reads my diary. What do I do?", "I'm 15. I found it moved and she basically admitted it.",
     "That feels like a huge betrayal, and you're allowed to be upset. Try to talk to her when you're both calm, "
     "not right after you found out. Tell her how it made you feel, and ask her if she's worried about "
     "something, because parents usually snoop when they're scared, not because they want to be mean. If she "
     "knows you'll talk to her about important stuff, she'll be less tempted to read it.\nIn the meantime, keep "
     "it somewhere else or write it in a password-protected file."),
    (9, "Is 5 years too big an age gap?", "",
     "Not at all if you're both adults. At 14 and 19 it's a problem; at 30 and 35 nobody cares."),
    (9, "How do I tell my friends I'm pregnant?", "",
     "Any way that feels like you! Some people do a dinner and announce it with a toast (with juice, "
     "obviously), some send a cute photo of a tiny pair of shoes. Congratulations!! 🎉"),
    (9, "Should I lend my brother money again?", "He still owes me $800 from last year and now he wants $1,500 for a car.",
     "Only lend what you'd be okay never seeing again. He hasn't paid back the first $800, so I'd say no, or at "
     "most offer to help him find a cheaper car. You can love your brother and still say \"not this time\" — "
     "that's called a boundary, not being mean."),

    (10, "What does a mayor actually do?", "",
     'Depends on the city. In a "strong mayor" system the mayor runs the city government, makes the budget and '
     'hires department heads. In a "weak mayor" or council-manager system, the mayor is mostly ceremonial and a '
     "professional city manager runs things day to day."),
    (10, "Why do we have political parties?", "George Washington warned against them, so why do we have them?",
     "Because they're almost unavoidable. As soon as people have to vote on things, those who agree start "
     "working together to win, and before long that group has a name, a leader and a list of ideas. Washington "
     "warned against them in his Farewell Address in 1796, but by then Hamilton's Federalists and Jefferson's "
     "Democratic-Republicans were already fighting.\nParties also help voters: most people don't have time to "
     "study every candidate, so a party label gives a rough idea of what someone stands for."),
    (10, "Can I vote if I'm living abroad?", "American living in Zürich for 2 years.",
     "Yes! Request an absentee ballot through the Federal Voting Assistance Program (https://www.fvap.gov). You "
     "vote in the state where you last lived."),
    (10, "what is NATO", "",
     "North Atlantic Treaty Organization — a military alliance formed in 1949, where an attack on one member is "
     "treated as an attack on all."),
]

# ---------------------------------------------------------------------------
# Assembly
# ---------------------------------------------------------------------------


def cap_first(s):
    return s[:1].upper() + s[1:]


def make_titles(rng, bank, count):
    """count distinct (title, topic, key) triples: the category's own titles (key = index of the
    answer sentence that answers them) plus template titles about a topic (key None)."""
    pool = [(t, None, k) for t, k in zip(bank["titles"], bank["title_answers"])]
    combos = [(tpl, topic) for tpl in TITLE_TEMPLATES for topic in bank["topics"]]
    rng.shuffle(combos)
    seen_topics = []
    for tpl, topic in combos:
        if len(pool) >= count:
            break
        if seen_topics.count(topic) >= 2:
            continue
        seen_topics.append(topic)
        pool.append((tpl.replace("{T}", cap_first(topic)).replace("{t}", topic), topic, None))
    rng.shuffle(pool)
    out = []
    for title, topic, key in pool[:count]:
        r = rng.random()
        if r < 0.10:
            title = title.lower().rstrip("?!")
        elif r < 0.16 and title.endswith("?"):
            title = title + "??"
        out.append((title, topic, key))
    return out


def fill(s, topic):
    return s.replace("{t}", topic) if topic else s


def make_content(rng, bank, topic):
    pieces = [c for c in bank["contents"] if topic or "{t}" not in c]
    n = rng.choice([1, 1, 1, 2, 2, 3])
    chosen = rng.sample(pieces, min(n, len(pieces)))
    if rng.random() < 0.45:
        chosen.append(rng.choice(GENERIC_CONTENTS))
    sep = "\n" if rng.random() < 0.3 else " "
    return sep.join(fill(c, topic) for c in chosen)


def join_sentences(rng, sentences):
    """Joins sentences with spaces, sometimes splitting paragraphs or making a numbered list."""
    if len(sentences) >= 3 and rng.random() < 0.08:
        head = sentences[0]
        items = sentences[1:]
        return head + "\n" + "\n".join("%d. %s" % (i + 1, s) for i, s in enumerate(items))
    if len(sentences) >= 4 and rng.random() < 0.45:
        out = sentences[0]
        for s in sentences[1:]:
            if rng.random() < 0.3:
                out += rng.choice(["\n", "\n\n"]) + s
            else:
                out += " " + s
        return out
    return " ".join(sentences)


def style(rng, text):
    r = rng.random()
    if r < 0.10:
        text = text.replace("'", "’")
    elif r < 0.16:
        text = text.lower()
    elif r < 0.20:
        text = text.replace("...", "…")
    elif r < 0.23:
        text = text.rstrip(".") + "!!"
    return text


def pick_sentences(rng, bank, n, key):
    """n answer sentences of the category; the one answering the title (key) comes first."""
    others = [a for i, a in enumerate(bank["answers"]) if i != key]
    if key is None:
        return rng.sample(others, n)
    return [bank["answers"][key]] + rng.sample(others, n - 1)


def normal_answer(rng, bank, topic, key):
    r = rng.random()
    if r < 0.10:
        pool = GENERIC_SHORT + bank["short"]
        return rng.choice(pool)
    if r < 0.24:
        n = rng.randint(1, 2)
    elif r < 0.76:
        n = rng.randint(2, 4)
    elif r < 0.94:
        n = rng.randint(5, 8)
    else:
        n = rng.randint(10, 16)
    sentences = pick_sentences(rng, bank, n, key)
    if topic and rng.random() < 0.4:
        sentences.insert(rng.randint(0, len(sentences)), fill(rng.choice(TOPIC_SENTENCES), topic))
    if rng.random() < 0.25:
        sentences.insert(0, rng.choice(OPENERS))
    if rng.random() < 0.3:
        sentences.append(rng.choice(CLOSERS))
    return style(rng, join_sentences(rng, sentences))


def long_answer(rng, bank, topic, key, target_words):
    own = pick_sentences(rng, bank, len(bank["answers"]), key)
    own.reverse()  # popped from the end: the key sentence comes out first
    filler = list(FILLER)
    rng.shuffle(filler)
    paragraphs = []
    words = 0
    para = [rng.choice(OPENERS)]
    if topic:
        para.append(fill(rng.choice(TOPIC_SENTENCES), topic))
    while words < target_words and (own or filler):
        source = own if (own and (not filler or rng.random() < 0.62)) else filler
        s = source.pop()
        para.append(s)
        words += len(s.split())
        if len(para) >= rng.randint(3, 7):
            paragraphs.append(" ".join(para))
            para = []
    para.append(rng.choice(CLOSERS))
    paragraphs.append(" ".join(para))
    return "\n\n".join(paragraphs) if rng.random() < 0.5 else "\n".join(paragraphs)


def build_rows():
    rng = random.Random(SEED)
    rows = []
    for cls in sorted(CATEGORIES):
        bank = CATEGORIES[cls]
        titles = make_titles(rng, bank, GENERATED_PER_CATEGORY)
        long_index = rng.randrange(GENERATED_PER_CATEGORY)
        for i, (title, topic, key) in enumerate(titles):
            content = make_content(rng, bank, topic)
            if i == long_index:
                answer = long_answer(rng, bank, topic, key, LONG_TARGETS[cls])
            else:
                answer = normal_answer(rng, bank, topic, key)
            rows.append([cls, title, content, answer])
    for cls, title, content, answer in HANDWRITTEN:
        rows.append([cls, title, content, answer])

    # About 10% of all rows get an empty content field (hand-written ones already have theirs).
    want_empty = round(EMPTY_CONTENT_FRACTION * len(rows))
    have_empty = sum(1 for r in rows if r[2] == "")
    candidates = [i for i, r in enumerate(rows) if r[2] != "" and i < len(rows) - len(HANDWRITTEN)]
    for i in rng.sample(candidates, max(0, want_empty - have_empty)):
        rows[i][2] = ""

    rng.shuffle(rows)
    return rows


def escape_newlines(field):
    if "\\" in field:
        raise ValueError("backslash in field (would be ambiguous with the \\n escape): %r" % field[:80])
    if "\r" in field:
        raise ValueError("carriage return in field: %r" % field[:80])
    return field.replace("\n", "\\n")


def check_text(field):
    if unicodedata.normalize("NFC", field) != field:
        raise ValueError("text not in NFC: %r" % field[:80])
    for ch in field:
        if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Mc", "Me", "Cc", "Cf") and ch != "\n":
            raise ValueError("unexpected character U+%04X in %r" % (ord(ch), field[:80]))


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    default_out = os.path.join(os.path.dirname(here), "data", "sample", "yahoo_sample.csv")
    out_path = sys.argv[1] if len(sys.argv) > 1 else default_out
    rows = build_rows()
    for r in rows:
        for f in r[1:]:
            check_text(f)
    os.makedirs(os.path.dirname(os.path.abspath(out_path)), exist_ok=True)
    with open(out_path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, quoting=csv.QUOTE_ALL, lineterminator="\n")
        for cls, title, content, answer in rows:
            w.writerow([str(cls), escape_newlines(title), escape_newlines(content), escape_newlines(answer)])

    per_class = {c: 0 for c in CATEGORY_NAMES}
    for r in rows:
        per_class[r[0]] += 1
    wc = [len(r[3].split()) for r in rows]
    print("wrote %s: %d rows" % (out_path, len(rows)))
    for c in sorted(per_class):
        print("  class %2d %-24s %d" % (c, CATEGORY_NAMES[c], per_class[c]))
    print("  empty content: %d" % sum(1 for r in rows if r[2] == ""))
    print("  best_answer words: median %s, min %d, max %d, >=400: %d, >=1000: %d"
          % (statistics.median(wc), min(wc), max(wc), sum(1 for x in wc if x >= 400), sum(1 for x in wc if x >= 1000)))


if __name__ == "__main__":
    main()

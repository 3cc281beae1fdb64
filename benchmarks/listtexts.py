"""List-like articles for the accuracy gate: recipes, meal plans, menus, listings, schedules,
league tables, TV guides, property and weather round-ups, timetables (English, German, Russian).

What they share, and what makes them hard to match: the same lines recur many times in one
article ("Season with salt and pepper.", "Breakfast: porridge with honey", "Doors 7pm, tickets
£12"), and little between the repeats is unique (a day, a team, a price). The dev corpus holds
almost no such texts, so they are generated here: deterministic for a seed, proper names
coined by the sandbox web's generator (``crawler.sandbox.content.coined_name``, from a range of
codes the sandbox never uses), so no two articles share a run of names by chance.

    title, lines = list_article(3, seed="x")   # lines: one paragraph (or table row) each
"""

from __future__ import annotations

import random
from collections.abc import Callable

from crawler.sandbox.content import coined_name

__all__ = ["KINDS", "list_article"]

_CODE_BASE = 700_000  # coined-name codes from here on: above every code the sandbox uses
_NAMES_PER_ARTICLE = 40

_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = ("March", "April", "May", "June", "July", "September", "October")
_INGREDIENTS = (
    "2 tbsp olive oil", "1 onion, finely chopped", "2 garlic cloves, crushed",
    "400g tin chopped tomatoes", "1 tsp smoked paprika", "200g long grain rice",
    "500ml hot vegetable stock", "a small bunch of parsley, chopped", "1 lemon, juiced",
    "salt and freshly ground black pepper", "100g baby spinach", "1 red pepper, sliced",
    "2 tbsp soy sauce", "1 tsp ground cumin", "a knob of butter", "150ml double cream",
    "1 tbsp sunflower oil", "2 carrots, diced", "1 tsp dried oregano", "a pinch of chilli flakes",
)
_STEPS = (
    "Heat the oil in a large frying pan over a medium heat.",
    "Warm the oil in a heavy casserole dish.",
    "Add the onion and cook for 5 minutes until softened but not browned.",
    "Fry the onion gently for 8 to 10 minutes, stirring now and then.",
    "Stir in the garlic and spices and cook for 1 minute more.",
    "Pour in the stock, bring to the boil, then cover and simmer for 20 minutes.",
    "Tip in the tomatoes and simmer, uncovered, until thickened.",
    "Season to taste with salt and pepper.",
    "Check the seasoning and add a squeeze of lemon.",
    "Scatter over the parsley and serve straight away with crusty bread.",
    "Serve with rice or warm flatbreads.",
    "Leave to rest for 5 minutes before serving.",
    "Preheat the oven to 200C, 180C fan, gas 6.",
    "Bake for 25 minutes until golden and bubbling.",
)
_DISHES = ("one-pan chicken", "spiced lentil stew", "tomato risotto", "prawn stir-fry",
           "chickpea curry", "baked cod", "mushroom stroganoff", "sausage casserole",
           "bean chilli", "leek and potato bake")
_MEALS = {
    "Breakfast": ("porridge with sliced banana and a spoon of honey",
                  "two boiled eggs on wholemeal toast with spinach",
                  "Greek yoghurt with berries and a handful of oats",
                  "a slice of rye toast with peanut butter and apple",
                  "overnight oats with grated apple and cinnamon"),
    "Lunch": ("lentil soup with a slice of rye bread and a green salad",
              "chicken wrap with hummus, peppers and cucumber",
              "leftover curry with brown rice", "tuna salad with boiled eggs and olives",
              "a jacket potato with beans and a little cheese"),
    "Dinner": ("baked salmon with new potatoes and steamed broccoli",
               "vegetable curry with brown rice and natural yoghurt",
               "turkey meatballs with wholewheat spaghetti",
               "chicken stir-fry with noodles and pak choi",
               "bean chilli with rice and a spoon of soured cream"),
    "Snack": ("a handful of unsalted almonds and an apple", "carrot sticks with hummus",
              "a pear and a small piece of cheese", "rice cakes with cottage cheese"),
}
_SIDES = ("served with hand-cut chips and a dressed side salad",
          "served with seasonal vegetables and a rich red wine gravy",
          "served with warm sourdough bread and salted butter",
          "with creamed mash and buttered greens", "with a watercress and radish salad",
          "with skin-on fries and house slaw")
_SHOWS = ("Breakfast News", "Morning Live", "Homes Under the Hammer", "Bargain Hunt",
          "Local News and Weather", "The One Show", "Pointless", "Garden Rescue",
          "Countryfile", "Antiques Road Trip", "Escape to the Country", "Points of View")


def _names(index: int) -> list[str]:
    base = _CODE_BASE + index * _NAMES_PER_ARTICLE
    return [coined_name(base + i, person=i % 2 == 1) for i in range(_NAMES_PER_ARTICLE)]


# Each article has its own "house style": the wording of its recurring lines is drawn once and
# then repeated line after line (the repetition is inside the article; two articles of one
# kind still read differently, as two publications' listings do).


def _recipes(rng: random.Random, n: list[str]) -> tuple[str, list[str]]:
    ingredients = rng.sample(_INGREDIENTS, 12)
    steps = rng.sample(_STEPS, 8)
    timing = (f"Prep {rng.choice((5, 10, 15))} minutes, cook {rng.choice((20, 25, 30, 40))} "
              "minutes.")
    lines = [rng.choice(("Easy suppers for busy weeknights, each ready in under an hour.",
                         "Cheap family dinners that mostly cook themselves."))]
    for r in range(rng.randint(6, 8)):
        lines += [f"{n[r]}'s {rng.choice(_DISHES)}",
                  f"Serves {rng.choice((2, 4, 6))}. {timing}",
                  "Ingredients", *rng.sample(ingredients, rng.randint(6, 9)), "Method",
                  *sorted(rng.sample(steps, rng.randint(4, 6)), key=steps.index)]
    return f"Weeknight suppers from the {n[9]} kitchen", lines


def _meal_plan(rng: random.Random, n: list[str]) -> tuple[str, list[str]]:
    menu = {meal: rng.sample(options, 3) for meal, options in _MEALS.items()}
    lines = [f"Dietitian {n[1]} has put together two weeks of cheap, simple meals."]
    for week in (1, 2):
        for day in _DAYS:
            lines.append(f"Week {week}, {day}")
            lines += [f"{meal}: {rng.choice(options)}" for meal, options in menu.items()]
    return f"A two-week meal plan from {n[0]}", lines


def _menu(rng: random.Random, n: list[str]) -> tuple[str, list[str]]:
    sides = rng.sample(_SIDES, 3)
    pence = rng.sample(("00", "25", "50", "75", "95"), 2)
    lines = [f"The new menu at the {n[2]} Arms, as published by the kitchen this week."]
    for course, count in (("Starters", 5), ("Mains", 8), ("Desserts", 5)):
        lines.append(course)
        for i in range(count):
            dish = f"{n[3 + i + len(lines)]}-style {rng.choice(_DISHES)}"
            price = f"£{rng.randint(6, 24)}.{rng.choice(pence)}"
            lines.append(f"{dish}, {rng.choice(sides)}, {price}")
    return f"What is on the menu at the {n[2]} Arms", lines


def _gigs(rng: random.Random, n: list[str]) -> tuple[str, list[str]]:
    door = rng.choice(("7pm", "7.30pm", "8pm", "6.45pm"))
    price = rng.randint(8, 16)
    terms = rng.choice(("Over-18s only.", "All ages welcome.", "Under-16s with an adult.",
                        "Seated show, bar open from 6pm."))
    month, first = rng.choice(_MONTHS), rng.randint(1, 12)
    lines = ["Live music in the county over the next fortnight."]
    for i in range(rng.randint(14, 20)):
        day = _DAYS[(first + i) % 7]
        lines.append(f"{day} {first + i} {month}: {n[i + 1]} and the {n[i + 2]} Band at the "
                     f"{n[0]} Arms. Doors {door}, tickets £{price} on the door, "
                     f"£{price - 2} in advance. {terms}")
    return f"Gig guide: {n[0]} and around", lines


def _league(rng: random.Random, n: list[str]) -> tuple[str, list[str]]:
    suffixes = rng.sample(("Rovers", "United", "Town", "Athletic", "Wanderers", "City",
                           "Albion"), 3)
    teams = [f"{n[i]} {rng.choice(suffixes)}" for i in range(12)]
    played = rng.randint(8, 20)
    lines = [f"Results and table from the {n[20]} District League."]
    lines.append("Results")
    for a, b in zip(teams[::2], teams[1::2], strict=True):
        lines.append(f"{a} {rng.randint(0, 4)} {b} {rng.randint(0, 4)}")
    lines.append("Table")
    for pos, team in enumerate(rng.sample(teams, len(teams)), 1):
        won = rng.randint(0, played - 3)
        drawn = rng.randint(0, played - won)
        lines.append(f"{pos}. {team}, played {played}, won {won}, drawn {drawn}, "
                     f"lost {played - won - drawn}, points {3 * won + drawn}")
    lines.append("Fixtures")
    kick_off = rng.choice(("3pm", "2pm", "12.30pm", "7.45pm"))
    for a, b in zip(teams[1::2], teams[2::2], strict=False):
        lines.append(f"Saturday: {a} v {b}, kick-off {kick_off}")
    return f"{n[20]} District League: results and table", lines


def _tv(rng: random.Random, n: list[str]) -> tuple[str, list[str]]:
    lines = [f"What to watch on {n[4]} TV this week."]
    shows = rng.sample(_SHOWS, 8)
    usual = shows[:6]  # the same show in the same slot on most days
    hours = sorted(rng.sample(("6.00am", "7.00am", "9.15am", "10.00am", "11.45am", "12.15pm",
                               "1.30pm", "6.30pm", "7.00pm"), 6), key=lambda h: (
                                   h.endswith("pm") and not h.startswith("12"), float(h[:-2])))
    for day in _DAYS:
        lines.append(day)
        for hour, show in zip(hours, usual, strict=True):
            lines.append(f"{hour} {show if rng.random() < 0.8 else rng.choice(shows)}")
        lines.append(f"8.00pm {n[rng.randrange(10, 30)]} Investigates")
    return f"TV guide: the week on {n[4]} TV", lines


def _property(rng: random.Random, n: list[str]) -> tuple[str, list[str]]:
    kind = rng.choice(("terraced house", "semi-detached house", "cottage", "flat"))
    features = ", ".join(rng.sample(("a south-facing garden", "off-street parking",
                                     "gas central heating", "a garage", "a new kitchen",
                                     "double glazing", "a loft conversion"), 3))
    close = rng.choice(("Close to schools and the station.", "Walking distance of the shops.",
                        "Popular residential street."))
    lines = [f"This week's pick of homes for sale in {n[0]}."]
    for i in range(rng.randint(8, 12)):
        beds = rng.choice(("two", "three", "four"))
        lines.append(f"{rng.randint(2, 98)} {n[i + 2]} Road, {n[0]}: a {beds}-bedroom {kind} "
                     f"with {features}. {close} Offers over £{rng.randint(180, 520)},000. "
                     "Viewing strictly by appointment.")
    return f"Homes for sale in {n[0]} this week", lines


def _weather(rng: random.Random, n: list[str]) -> tuple[str, list[str]]:
    high, low = rng.choice((("high of", "low of"), ("top temperature", "overnight"),
                            ("highs around", "lows near")))
    skies = rng.sample(("sunny spells", "cloudy with light rain", "dry and bright",
                        "showers clearing later", "mist then sunshine"), 3)
    wind = rng.choice(("light winds", "a fresh breeze", "gusty at times"))
    lines = ["The forecast for towns across the region over the weekend."]
    for i in range(rng.randint(14, 22)):
        lines.append(f"{n[i]}: {rng.choice(skies)}, {wind}, {high} {rng.randint(8, 19)}C, "
                     f"{low} {rng.randint(1, 7)}C.")
    return f"Weekend weather for {n[0]} and the region", lines


def _timetable(rng: random.Random, n: list[str]) -> tuple[str, list[str]]:
    every = rng.choice((10, 12, 15, 20, 30))
    evenings = rng.choice(("hourly in the evenings and on Sundays and bank holidays",
                           "every 30 minutes on Sundays, no service on bank holidays",
                           "reduced service after 7pm and on Sundays"))
    lines = [f"Bus times change from Sunday across {n[0]}. The new timetable in full."]
    for route in range(1, rng.randint(12, 17)):
        lines.append(f"Route {route}: {n[route]} Bus Station to {n[route + 1]} Market Square, "
                     f"every {every} minutes Monday to Saturday, {evenings}.")
    return f"New bus timetable for {n[0]}", lines


def _wochenplan(rng: random.Random, n: list[str]) -> tuple[str, list[str]]:
    meals = {"Frühstück": ("Haferbrei mit Banane und einem Löffel Honig",
                           "zwei gekochte Eier auf Vollkornbrot", "Joghurt mit Beeren und Nüssen"),
             "Mittagessen": ("Linsensuppe mit Roggenbrot und grünem Salat",
                             "Gemüsecurry mit braunem Reis", "Kartoffelsalat mit Würstchen"),
             "Abendessen": ("Lachs aus dem Ofen mit Kartoffeln und Brokkoli",
                            "Vollkornnudeln mit Tomatensoße und Parmesan",
                            "Gemüsepfanne mit Tofu und Reis")}
    plan = {meal: rng.sample(options, 2) for meal, options in meals.items()}
    lines = [f"Ernährungsberaterin {n[1]} hat einen günstigen Wochenplan zusammengestellt."]
    days = ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag")
    for week in (1, 2):
        for day in days:
            lines.append(f"Woche {week}, {day}")
            lines += [f"{meal}: {rng.choice(options)}" for meal, options in plan.items()]
    return f"Der Zweiwochenplan von {n[1]}", lines


def _raspisanie(rng: random.Random, n: list[str]) -> tuple[str, list[str]]:
    days = ("Понедельник", "Вторник", "Среда", "Четверг", "Пятница", "Суббота")
    pool = (f"{rng.choice(('7:45', '8:30', '9:00'))} — утренняя зарядка "
            f"{rng.choice(('в спортивном зале', 'на стадионе', 'у озера'))}",
            f"{rng.choice(('10:00', '10:30', '11:00'))} — занятия в бассейне «{n[4]}»",
            f"13:00 — обед в столовой {rng.choice(('на первом этаже', 'главного корпуса'))}",
            f"{rng.choice(('15:00', '16:00'))} — экскурсия по городу {n[5]}",
            f"{rng.choice(('17:00', '17:30'))} — кружки по интересам: "
            f"{rng.choice(('рисование и лепка', 'шахматы и шашки', 'театр и музыка'))}",
            f"19:00 — концерт в актовом зале «{n[3]}», вход свободный",
            f"{rng.choice(('21:00', '21:30'))} — отбой, дежурный вожатый {n[7]}")
    items = sorted(rng.sample(pool, 5), key=pool.index)
    lines = [f"Расписание летнего лагеря «{n[2]}» на неделю."]
    for day in days:
        lines.append(day)
        lines += sorted(rng.sample(items, 4), key=items.index)
    return f"Расписание лагеря «{n[2]}»", lines


KINDS: tuple[tuple[str, Callable[[random.Random, list[str]], tuple[str, list[str]]]], ...] = (
    ("recipes", _recipes), ("meal plan", _meal_plan), ("menu", _menu), ("gig guide", _gigs),
    ("league table", _league), ("tv guide", _tv), ("property", _property),
    ("weather", _weather), ("timetable", _timetable), ("wochenplan", _wochenplan),
    ("raspisanie", _raspisanie),
)
"""Every kind of list-like article: (name, generator)."""


def list_article(index: int, *, seed: str = "") -> tuple[str, str, list[str]]:
    """Article ``index``: its kind, title and lines (one paragraph or table row each).

    The kind cycles through ``KINDS``; the same arguments give the same article.
    """
    kind, make = KINDS[index % len(KINDS)]
    rng = random.Random(f"repostwatch-listtexts:{seed}:{index}")
    title, lines = make(rng, _names(index))
    return kind, title, lines

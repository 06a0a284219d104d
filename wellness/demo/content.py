"""The demo catalog: practice sessions with guidance, clinical attributes and an audio plan.

Pure: standard library and the catalog vocabularies only. `wellness.demo_audio` turns each
session's `AudioPlan` into sound; `wellness.demo` stores them through the catalog services.

Written for people in benzodiazepine withdrawal (see shared/notes/clinical.md): calm, plain,
no promises about what a practice will do, eyes-open options, a reminder that the volume can
go down, and the most distressed suited only to short, guided, slow-exhale breathing or
grounding. The instructors are fictional.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum

from wellness.catalog.kinds import Contraindication, Guidance, Kind, Level, Posture, Status

# --- audio plans -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BreathPace:
    inhale_seconds: float = 4.0
    exhale_seconds: float = 6.0

    @property
    def cycle_seconds(self) -> float:
        return self.inhale_seconds + self.exhale_seconds

    @property
    def per_minute(self) -> float:
        return 60 / self.cycle_seconds


@dataclass(frozen=True, slots=True)
class AudioPlan:
    """What a demo track holds, in seconds from its start."""

    seconds: float
    pad: bool = False  # a quiet low drone under the whole track
    bells_at: tuple[float, ...] = ()
    chimes_at: tuple[float, ...] = ()
    breathing: BreathPace | None = None  # cue tones from breathing_start to breathing_end
    breathing_start: float = 0.0
    breathing_end: float = 0.0

    def breathing_cycles(self) -> int:
        """Whole breaths that fit the breathing span (a breath is never cut off)."""
        if self.breathing is None or self.breathing_end <= self.breathing_start:
            return 0
        return int((self.breathing_end - self.breathing_start) // self.breathing.cycle_seconds)

    def scaled(self, factor: float) -> AudioPlan:
        """The same plan squeezed in time (for quick tests); the breathing pace is kept."""
        return replace(
            self,
            seconds=self.seconds * factor,
            bells_at=tuple(at * factor for at in self.bells_at),
            chimes_at=tuple(at * factor for at in self.chimes_at),
            breathing_start=self.breathing_start * factor,
            breathing_end=self.breathing_end * factor,
        )


class Sound(StrEnum):
    BREATHING = "breathing"  # a paced cue tone between an opening and a closing bell
    CHIMES = "chimes"  # a quiet drone, a chime at each cue, bells to open and close
    BELLS = "bells"  # silence, with a bell at each cue


STRIKE_OFFSET = 0.5  # a bell "at 0:00" sounds half a second in
BELL_RING_SECONDS = 14.0  # a closing bell needs this long before the track ends


# --- sessions --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Cue:
    at: int  # seconds from the start
    text: str

    @property
    def stamp(self) -> str:
        return f"{self.at // 60}:{self.at % 60:02d}"


def _cues(*pairs: tuple[str, str]) -> tuple[Cue, ...]:
    cues = []
    for stamp, text in pairs:
        minutes, seconds = stamp.split(":")
        cues.append(Cue(int(minutes) * 60 + int(seconds), " ".join(text.split())))
    return tuple(cues)


@dataclass(frozen=True, slots=True)
class DemoSession:
    slug: str  # names the cached audio file
    title: str
    kind: Kind
    minutes: int
    instructor: str
    description: str
    cues: tuple[Cue, ...]
    sound: Sound
    tags: tuple[str, ...]
    anxiety_min: int
    anxiety_max: int
    contraindications: tuple[Contraindication, ...] = ()
    language: str = "en"
    level: Level = Level.BEGINNER
    posture: Posture = Posture.SEATED
    guidance: Guidance = Guidance.GUIDED
    status: Status = Status.PUBLISHED
    pace: BreathPace = field(default_factory=BreathPace)

    @property
    def seconds(self) -> int:
        return self.minutes * 60

    @property
    def transcript(self) -> str:
        return "\n\n".join(f"[{cue.stamp}] {cue.text}" for cue in self.cues)

    def audio_plan(self) -> AudioPlan:
        times = [max(float(cue.at), STRIKE_OFFSET) for cue in self.cues]
        opening, closing = times[0], times[-1]
        if self.sound is Sound.BELLS:
            return AudioPlan(seconds=self.seconds, bells_at=tuple(times))
        if self.sound is Sound.CHIMES:
            return AudioPlan(
                seconds=self.seconds,
                pad=True,
                bells_at=(opening, closing),
                chimes_at=tuple(times[1:-1]),
            )
        return AudioPlan(
            seconds=self.seconds,
            bells_at=(opening, closing),
            breathing=self.pace,
            breathing_start=times[1],
            breathing_end=closing - 2,
        )


SLOW_BREATHING = DemoSession(
    slug="slow-breathing-hard-moments",
    title="Slow breathing for hard moments",
    kind=Kind.BREATHING,
    minutes=6,
    instructor="Mara Lindqvist",
    description=(
        "Six minutes of slow breathing, about six breaths a minute, with the out-breath longer "
        "than the in-breath. A soft tone rises while you breathe in and falls while you breathe "
        "out; follow it, or simply listen. Eyes open, sitting or standing, whenever anxiety "
        "runs high. The volume is low on purpose, and you can turn it down further."
    ),
    sound=Sound.BREATHING,
    cues=_cues(
        (
            "0:00",
            """A bell. Welcome. Find somewhere to sit where your feet can rest on the floor.
            Keep your eyes open and let them settle on one spot in front of you. If sounds feel
            sharp today, turn the volume down; you can follow these words instead.""",
        ),
        (
            "0:10",
            """The tone begins. As it rises, breathe in gently through your nose, for about
            four seconds. As it falls, breathe out slowly, for about six seconds, as if you were
            cooling a cup of tea.""",
        ),
        (
            "0:40",
            """There's no need to fill your lungs. An ordinary, comfortable in-breath is
            enough. The out-breath is the part that gets a little longer.""",
        ),
        (
            "1:20",
            """If your thoughts are racing, that's all right. Withdrawal can make the mind busy
            and the body jumpy. Each time you notice, come back to the sound of the tone.""",
        ),
        (
            "2:10",
            """You might notice your shoulders. Let them drop a little with each out-breath.
            Nothing needs to be forced.""",
        ),
        (
            "3:00",
            """Halfway. If you feel light-headed, take smaller breaths and keep the slow
            rhythm. You can also stop and breathe normally at any time.""",
        ),
        (
            "4:00",
            """Notice the floor under your feet and the seat beneath you. You are here, in this
            room, breathing.""",
        ),
        ("5:00", """A few more breaths with the tone, in as it rises, out as it falls."""),
        (
            "5:40",
            """A bell. The tone stops. Let your breathing find its own pace. Notice how you feel
            now, without judging it. If things are still very hard, reach out to the person on
            duty; you don't have to manage this alone.""",
        ),
    ),
    tags=("slow breathing", "long exhale", "eyes open", "short", "acute distress"),
    anxiety_min=4,
    anxiety_max=10,
)

FIVE_SENSES = DemoSession(
    slug="five-senses-grounding",
    title="Five senses: grounding in the room",
    kind=Kind.GROUNDING,
    minutes=5,
    instructor="Jonah Okafor",
    description=(
        "The 5-4-3-2-1 exercise: name five things you can see, four you can feel, three you "
        "can hear, two you can smell and one you can taste. A quiet chime marks each step. "
        "Eyes open throughout; useful when thoughts spin or the body feels unreal."
    ),
    sound=Sound.CHIMES,
    cues=_cues(
        (
            "0:00",
            """A bell. Wherever you are, let yourself arrive. You can sit, stand or lean
            against a wall. Keep your eyes open. We'll use the senses to come back to this
            room, one step at a time, at your own pace.""",
        ),
        (
            "0:40",
            """Look around. Name five things you can see, silently or out loud. A colour on the
            wall. The shape of a window. Something small you hadn't noticed. Take your time
            with each one.""",
        ),
        (
            "1:30",
            """Now four things you can feel. Your feet inside your shoes. The weight of your
            body on the seat. The texture of your sleeve. The air on your hands.""",
        ),
        (
            "2:20",
            """Three things you can hear. If sounds feel too sharp today, choose the quietest
            one you can find, or skip this step; that's fine. Perhaps the hum of a room, a
            distant voice, your own breath.""",
        ),
        (
            "3:05",
            """Two things you can smell. Soap on your hands, the fabric of your clothes, the
            air of the room. If you can't smell anything, just notice the air as you breathe
            out slowly.""",
        ),
        (
            "3:45",
            """One thing you can taste. Perhaps a sip of water, or just the taste in your
            mouth right now.""",
        ),
        (
            "4:30",
            """A bell. Look around the room once more. You are here, in this place, now. Notice
            how you feel, without judging it. You can come back to this exercise any time, with
            or without the recording.""",
        ),
    ),
    tags=("grounding", "5-4-3-2-1", "eyes open", "short", "acute distress"),
    anxiety_min=4,
    anxiety_max=10,
)

FEET_CHAIR_BREATH_DE = DemoSession(
    slug="fuesse-stuhl-atem",
    title="Füße, Stuhl, Atem: Ankommen im Hier und Jetzt",
    kind=Kind.GROUNDING,
    minutes=7,
    instructor="Lena Vogt",
    language="de",
    description=(
        "Eine kurze Erdungsübung mit offenen Augen: die Füße auf dem Boden, das Gewicht auf "
        "dem Stuhl, ein ruhiger, langer Ausatem. Ein leiser Klang markiert jeden Schritt. "
        "Für Momente, in denen alles zu viel ist."
    ),
    sound=Sound.CHIMES,
    cues=_cues(
        (
            "0:00",
            """Ein Gong. Willkommen. Setz dich so, dass deine Füße den Boden berühren. Die
            Augen bleiben offen; lass den Blick auf einem Punkt vor dir ruhen. Wenn Geräusche
            heute unangenehm laut sind, stell die Lautstärke leiser.""",
        ),
        (
            "0:45",
            """Spüre deine Füße. Drück sie sanft in den Boden und lass wieder los. Der Boden
            trägt dich. Du musst nichts festhalten.""",
        ),
        (
            "1:45",
            """Spüre den Stuhl. Wo berührt er deinen Körper? Am Gesäß, an den Oberschenkeln,
            vielleicht am Rücken. Lass dein Gewicht für einen Moment ganz vom Stuhl tragen.""",
        ),
        (
            "2:45",
            """Leg eine Hand auf den Bauch oder die Brust. Atme ganz normal ein und lass den
            Ausatem etwas länger werden, als würdest du eine Kerze sanft flackern lassen, ohne
            sie auszublasen.""",
        ),
        (
            "3:45",
            """Wenn Gedanken kommen, ist das in Ordnung. Der Entzug kann den Kopf unruhig
            machen. Kehr einfach zurück: Füße, Stuhl, Atem.""",
        ),
        (
            "4:45",
            """Schau dich langsam im Raum um. Benenne drei Dinge, die du siehst, und eine
            Farbe, die dir gefällt.""",
        ),
        (
            "6:20",
            """Ein Gong. Füße, Stuhl, Atem. Nimm wahr, wie es dir jetzt geht, ohne es zu
            bewerten. Wenn es weiterhin sehr schwer ist, wende dich an das Team im Dienst; du
            musst das nicht allein schaffen.""",
        ),
    ),
    tags=("grounding", "deutsch", "eyes open", "short", "acute distress"),
    anxiety_min=3,
    anxiety_max=10,
)

PACED_BREATHING = DemoSession(
    slug="paced-breathing-six",
    title="Paced breathing: six breaths a minute",
    kind=Kind.BREATHING,
    minutes=10,
    instructor="Priya Raman",
    description=(
        "Ten minutes of breathing with a tone and very few words: in for four seconds while "
        "the tone rises, out for six while it falls. For days when you'd like a steady rhythm "
        "to follow without much talking."
    ),
    sound=Sound.BREATHING,
    cues=_cues(
        (
            "0:00",
            """A bell. Sit comfortably, feet on the floor. Eyes can stay open, resting on one
            spot, or close if that feels safe today.""",
        ),
        (
            "0:10",
            """Follow the tone: breathe in gently as it rises, breathe out slowly as it falls.
            Breathe through your nose if you can. Keep each breath easy and quiet.""",
        ),
        (
            "2:00",
            """If your mind wanders, notice where it went, then return to the rise and fall of
            the tone. Wandering is part of the practice.""",
        ),
        (
            "5:00",
            """Halfway. If you feel dizzy or short of air, breathe a little less deeply, or
            stop and breathe normally for a while. Rejoin whenever you like.""",
        ),
        (
            "8:00",
            """A couple more minutes. Let the out-breath be soft and unhurried.""",
        ),
        (
            "9:40",
            """A bell. Let the breath return to its own rhythm. Take a moment before you
            stand up.""",
        ),
    ),
    tags=("slow breathing", "paced breathing", "long exhale", "few words"),
    anxiety_min=2,
    anxiety_max=8,
)

BREATHING_SPACE = DemoSession(
    slug="three-minute-breathing-space",
    title="Three-minute breathing space",
    kind=Kind.MEDITATION,
    minutes=3,
    instructor="Mara Lindqvist",
    description=(
        "A short pause in three steps: notice what is here, gather your attention on the "
        "breath, then widen it to the whole body. Easy to fit between groups or before a "
        "conversation."
    ),
    sound=Sound.CHIMES,
    cues=_cues(
        (
            "0:00",
            """A bell. Sit upright but relaxed. First, notice what is here right now: thoughts,
            feelings, sensations in the body. You don't need to change anything. Just
            acknowledge it: this is how it is at the moment.""",
        ),
        (
            "1:00",
            """A chime. Now gather your attention on the breath, low in the belly. Feel each
            in-breath and each out-breath. When the mind wanders, gently come back.""",
        ),
        (
            "2:00",
            """A chime. Let your attention widen to the whole body: posture, face, hands,
            feet. Breathing with the whole body, as it is.""",
        ),
        (
            "2:40",
            """A bell. Carry a little of this wider awareness into whatever comes next.""",
        ),
    ),
    tags=("mindfulness", "short", "pause", "check in"),
    anxiety_min=0,
    anxiety_max=6,
)

NOTICING_THE_BREATH = DemoSession(
    slug="noticing-the-breath",
    title="Noticing the breath",
    kind=Kind.MEDITATION,
    minutes=10,
    instructor="Tomasz Wren",
    description=(
        "A gentle introduction to mindfulness of breathing. You'll rest your attention on the "
        "breath and practise returning, kindly, each time the mind wanders. Chimes mark a few "
        "reminders along the way."
    ),
    sound=Sound.CHIMES,
    cues=_cues(
        (
            "0:00",
            """A bell. Settle into a seat that supports you. Let your hands rest. Close your
            eyes, or lower your gaze to the floor a little way in front of you.""",
        ),
        (
            "1:00",
            """Find the place where you feel the breath most clearly: the nostrils, the chest
            or the belly. Let your attention rest there. There's no right way to breathe;
            just notice the breath as it is.""",
        ),
        (
            "3:00",
            """A chime. Sooner or later the mind wanders: to plans, worries, memories,
            cravings. That isn't a mistake. The moment you notice is the practice. Note
            where it went, "thinking", and come back to the breath.""",
        ),
        (
            "5:30",
            """A chime. If restlessness or discomfort is strong, you can open your eyes, shift
            your posture, or feel your feet on the floor instead of the breath. Be as
            patient with yourself as you would be with a friend.""",
        ),
        (
            "8:00",
            """A chime. Rest with the breath for these last minutes: one breath, then the
            next.""",
        ),
        (
            "9:40",
            """A bell. Let go of the focus. Notice the room around you, and move your
            fingers and toes before you get up.""",
        ),
    ),
    tags=("mindfulness", "breath awareness", "beginner friendly"),
    anxiety_min=2,
    anxiety_max=6,
)

KINDNESS = DemoSession(
    slug="kindness-on-a-hard-day",
    title="Kindness on a hard day",
    kind=Kind.MEDITATION,
    minutes=12,
    instructor="Ines Duarte",
    description=(
        "A self-compassion practice for recovery, when shame or self-criticism is loud. You'll "
        "offer yourself a few simple, kind phrases, then widen them to others. Use your own "
        "words if ours don't fit."
    ),
    sound=Sound.CHIMES,
    cues=_cues(
        (
            "0:00",
            """A bell. Sit or lie in a way that feels supported. You might place a hand on your
            chest, or somewhere that feels comforting.""",
        ),
        (
            "1:00",
            """Bring to mind that this is a hard time. Recovery asks a lot, and withdrawal can
            be exhausting. You might say quietly to yourself: "This is a moment of
            difficulty. Difficulty is part of being human." """,
        ),
        (
            "3:00",
            """A chime. Now offer yourself a few kind phrases, slowly, letting each one land:
            "May I be safe. May I be patient with myself. May I be as kind to myself as I
            can, today." If the words feel false, that's common. The intention is enough.""",
        ),
        (
            "6:00",
            """A chime. Think of someone who has been kind to you, or someone you care about.
            Picture them, and offer the same wishes: "May you be safe. May you be patient
            with yourself. May you find some ease." """,
        ),
        (
            "8:30",
            """A chime. Widen the circle: others in this clinic, others everywhere who are
            finding their way through a hard time. "May we all be safe. May we all find some
            ease." """,
        ),
        (
            "10:30",
            """A chime. Come back to yourself once more. "May I be kind to myself." Rest here
            for a few breaths.""",
        ),
        (
            "11:40",
            """A bell. Let the phrases go. Notice how you feel, whatever it is, and take it
            gently into the rest of your day.""",
        ),
    ),
    tags=("self-compassion", "loving kindness", "recovery", "shame"),
    anxiety_min=0,
    anxiety_max=6,
)

SILENT_SITTING = DemoSession(
    slug="sitting-in-silence-with-bells",
    title="Sitting in silence, with bells",
    kind=Kind.MEDITATION,
    minutes=20,
    instructor="Tomasz Wren",
    description=(
        "A silent timer for people who already have a practice: a bell to begin, a bell at "
        "the halfway point and a bell to end. Long silence isn't a good choice when anxiety "
        "is high; choose a guided session on those days."
    ),
    sound=Sound.BELLS,
    guidance=Guidance.SILENT,
    level=Level.INTERMEDIATE,
    cues=_cues(
        (
            "0:00",
            """A bell to begin. Sit in your usual way and practise in silence. If at any point
            the silence becomes too much, open your eyes, feel your feet, or stop: that's a
            wise choice, not a failure.""",
        ),
        ("10:00", """A bell at the halfway point."""),
        (
            "19:40",
            """A bell to end. Take a moment before moving on.""",
        ),
    ),
    tags=("silent", "timer", "experienced"),
    anxiety_min=0,
    anxiety_max=3,
    contraindications=(Contraindication.LONG_SILENCE,),
)

SEATED_BODY_SCAN = DemoSession(
    slug="seated-body-scan",
    title="Seated body scan",
    kind=Kind.BODY_SCAN,
    minutes=8,
    instructor="Priya Raman",
    description=(
        "A short body scan you can do in a chair, eyes open or closed. A soft chime each "
        "minute moves your attention to the next part of the body, from the feet to the top "
        "of the head."
    ),
    sound=Sound.CHIMES,
    cues=_cues(
        (
            "0:00",
            """A bell. Sit with your feet on the floor and your hands resting in your lap. We'll
            move slowly through the body, just noticing. Tingling, aches, restlessness or
            numbness are all things to notice; nothing needs fixing.""",
        ),
        (
            "1:00",
            """The feet: the soles on the floor, the toes, warmth or coolness.""",
        ),
        (
            "2:00",
            """The legs: calves, knees, thighs. Notice their weight on the chair.""",
        ),
        (
            "3:00",
            """The seat and lower back: where the chair supports you.""",
        ),
        (
            "4:00",
            """The belly and chest, rising and falling with the breath. If attention on the
            breath feels uncomfortable, stay with the feet instead.""",
        ),
        (
            "5:00",
            """The hands and arms: fingers, palms, wrists, elbows, up to the shoulders.""",
        ),
        (
            "6:00",
            """The neck, jaw and face. Soften around the eyes if you can, and let the jaw
            rest.""",
        ),
        (
            "7:00",
            """The whole body, sitting here, breathing.""",
        ),
        (
            "7:40",
            """A bell. Open your eyes if they were closed, and look around the room before
            you stand up.""",
        ),
    ),
    tags=("body scan", "chair", "short", "restlessness"),
    anxiety_min=2,
    anxiety_max=7,
)

LYING_BODY_SCAN = DemoSession(
    slug="body-scan-lying-down",
    title="Body scan, lying down",
    kind=Kind.BODY_SCAN,
    minutes=15,
    instructor="Ines Duarte",
    posture=Posture.LYING,
    description=(
        "A longer, unhurried body scan lying on a bed or a mat. A soft chime every minute "
        "invites you to move on. If you drift off, that's fine; if lying down feels "
        "uneasy, try the seated body scan instead."
    ),
    sound=Sound.CHIMES,
    cues=_cues(
        (
            "0:00",
            """A bell. Lie on your back, or on your side if that's more comfortable, with a
            pillow wherever you need one. Let the surface beneath you take your weight. Eyes
            closed, or softly open.""",
        ),
        (
            "1:00",
            """Notice the whole body lying here, and the points where it touches the
            surface.""",
        ),
        ("2:00", """The toes and the soles of the feet."""),
        ("3:00", """The ankles, heels and the tops of the feet."""),
        ("4:00", """The lower legs and the knees."""),
        ("5:00", """The thighs, heavy and supported."""),
        ("6:00", """The hips and the pelvis."""),
        ("7:00", """The lower back and the belly, moving gently with the breath."""),
        (
            "8:00",
            """The upper back and the chest. If you meet tension, you can breathe towards
            it, or simply let it be.""",
        ),
        ("9:00", """The hands: each finger, the palms, the backs of the hands."""),
        ("10:00", """The arms, elbows and shoulders. Let the shoulders sink a little."""),
        ("11:00", """The neck and the throat."""),
        ("12:00", """The face: jaw, lips, cheeks, eyes, forehead."""),
        (
            "13:00",
            """The top of the head, and then the whole body at once, from head to toe,
            breathing.""",
        ),
        (
            "14:20",
            """A bell. Begin to move your fingers and toes. Roll to one side and take your
            time getting up.""",
        ),
    ),
    tags=("body scan", "lying down", "relaxation"),
    anxiety_min=0,
    anxiety_max=6,
)

CHAIR_YOGA = DemoSession(
    slug="gentle-chair-yoga",
    title="Gentle chair yoga",
    kind=Kind.YOGA,
    minutes=12,
    instructor="Jonah Okafor",
    description=(
        "Slow, gentle movements in a chair for a restless or stiff body: neck, shoulders, "
        "spine and ankles. Move only within what's comfortable; a chime marks each new "
        "movement."
    ),
    sound=Sound.CHIMES,
    cues=_cues(
        (
            "0:00",
            """A bell. Sit towards the front of a sturdy chair without wheels, feet flat on the
            floor. Move slowly and stay well within what feels comfortable. If you feel
            dizzy, stop and rest.""",
        ),
        (
            "0:45",
            """Shoulder rolls: lift the shoulders towards the ears, roll them back and
            down. Five slow circles, then five the other way.""",
        ),
        (
            "2:00",
            """Neck: let the right ear drop towards the right shoulder, a few breaths, then
            the left. No pulling; let gravity do the work.""",
        ),
        (
            "3:30",
            """Seated cat and cow: hands on the knees. On an in-breath, lift the chest;
            on a long out-breath, round the back. Repeat slowly, with the breath.""",
        ),
        (
            "5:00",
            """Gentle twist: right hand on the left knee, left hand behind you on the
            chair. Turn only as far as is easy. A few breaths, then the other side.""",
        ),
        (
            "6:30",
            """Side stretch: lift the right arm and lean gently to the left. Come back,
            then the other side.""",
        ),
        (
            "8:00",
            """Ankles: lift one foot, circle the ankle a few times each way, then point
            and flex. Then the other foot.""",
        ),
        (
            "9:30",
            """Hands: open and close the fists a few times, then shake out the hands
            gently.""",
        ),
        (
            "10:30",
            """Rest: hands in your lap, feet on the floor. Notice the body after
            moving.""",
        ),
        ("11:20", """A bell. Stand up slowly when you're ready."""),
    ),
    tags=("chair yoga", "gentle", "restlessness", "stretching"),
    anxiety_min=2,
    anxiety_max=7,
)

SUN_SALUTATIONS = DemoSession(
    slug="steady-sun-salutations",
    title="Sun salutations at a steady pace",
    kind=Kind.YOGA,
    minutes=16,
    instructor="Tomasz Wren",
    posture=Posture.STANDING,
    level=Level.INTERMEDIATE,
    description=(
        "Standing rounds of sun salutations that warm the body and build some strength. For "
        "days when you feel settled and want to move; choose the chair yoga session on "
        "shaky or dizzy days."
    ),
    sound=Sound.CHIMES,
    cues=_cues(
        (
            "0:00",
            """A bell. Stand at the front of a mat, feet hip-width apart. Check in: if you're
            dizzy, unsteady or very tired today, a seated practice is the better choice.""",
        ),
        (
            "1:00",
            """Warm up: roll the shoulders, circle the hips, march gently on the
            spot.""",
        ),
        (
            "3:00",
            """Round one, slowly: arms up on an in-breath, fold forward on an out-breath,
            half lift, step back to a plank or to your knees, lower down, a gentle cobra,
            downward dog for a few breaths, step forward, fold, and rise.""",
        ),
        ("5:30", """Round two, a little steadier. Let each movement follow the breath."""),
        (
            "8:00",
            """Round three. Keep the knees soft. Rest in child's pose whenever you
            like.""",
        ),
        (
            "10:30",
            """Round four, the last. Then stand still for a few breaths and notice your
            heartbeat slowing.""",
        ),
        (
            "13:00",
            """Cool down: a wide-legged forward fold with bent knees, then roll up
            slowly, one vertebra at a time.""",
        ),
        ("14:30", """Lie down on your back and rest."""),
        ("15:40", """A bell. Roll to your side and come up slowly."""),
    ),
    tags=("sun salutation", "standing", "strength", "energising"),
    anxiety_min=0,
    anxiety_max=3,
    contraindications=(Contraindication.STANDING, Contraindication.VIGOROUS),
)

DRIFTING_TO_SLEEP = DemoSession(
    slug="drifting-towards-sleep",
    title="Drifting towards sleep",
    kind=Kind.SLEEP,
    minutes=20,
    instructor="Mara Lindqvist",
    posture=Posture.LYING,
    description=(
        "For the end of the day, in bed with the lights low. A few minutes of settling, a "
        "slow walk through the body, then a long, quiet drone to drift with. Sleep may or "
        "may not come, and that's all right: resting is worthwhile too."
    ),
    sound=Sound.CHIMES,
    cues=_cues(
        (
            "0:00",
            """A bell. Settle into bed in whatever position you usually sleep in. Let the
            pillow hold your head. Turn the volume down as low as you like.""",
        ),
        (
            "1:30",
            """Nights can be hard during withdrawal, and trying to sleep can make it harder. So
            for now, there's nothing to achieve. Just rest, and let the body be heavy.""",
        ),
        (
            "4:00",
            """Feel the weight of the legs sinking into the mattress. Then the hips and the
            back. Then the arms and hands.""",
        ),
        (
            "7:00",
            """The shoulders, the neck, the face. Let the jaw loosen, and the space between
            the eyebrows soften.""",
        ),
        (
            "10:00",
            """Let the out-breath be a little longer than the in-breath, without effort. If
            thoughts come, let them drift past like clouds, and come back to the weight of the
            body.""",
        ),
        (
            "13:00",
            """From here on, there are no more words. Rest with the quiet sound for as long
            as it plays.""",
        ),
        (
            "19:40",
            """A last, soft bell as the sound fades.""",
        ),
    ),
    tags=("sleep", "bedtime", "relaxation", "insomnia"),
    anxiety_min=0,
    anxiety_max=7,
)

BREATHS_BEFORE_SLEEP = DemoSession(
    slug="slow-breaths-before-sleep",
    title="Slow breaths before sleep",
    kind=Kind.SLEEP,
    minutes=9,
    instructor="Priya Raman",
    posture=Posture.LYING,
    description=(
        "Lying down, in bed, following a soft tone: in as it rises, out as it falls, about "
        "six breaths a minute. A quiet way to wind down when the body still feels switched "
        "on at night."
    ),
    sound=Sound.BREATHING,
    cues=_cues(
        (
            "0:00",
            """A bell. Lie down comfortably. Turn the volume down low; the tone only needs to
            be just audible.""",
        ),
        (
            "0:10",
            """Follow the tone: breathe in gently as it rises, out slowly as it falls. Small,
            soft breaths are perfect.""",
        ),
        (
            "3:00",
            """If your mind is busy, let it be busy. Keep coming back to the rise and fall of
            the sound.""",
        ),
        (
            "6:00",
            """Let the body grow heavier with each out-breath.""",
        ),
        (
            "8:40",
            """A last, soft bell. Let the breath go its own way, and rest.""",
        ),
    ),
    tags=("sleep", "slow breathing", "long exhale", "bedtime"),
    anxiety_min=0,
    anxiety_max=8,
)

BOX_BREATHING_DRAFT = DemoSession(
    slug="box-breathing-draft",
    title="Box breathing with holds (awaiting clinical review)",
    kind=Kind.BREATHING,
    minutes=5,
    instructor="Jonah Okafor",
    level=Level.INTERMEDIATE,
    status=Status.DRAFT,
    description=(
        "Draft. In for four, hold for four, out for four, hold for four. Breath holds can "
        "unsettle people in early recovery, so the clinical team reviews this before "
        "publishing. The recording is a timer with bells; the counting is in the guidance."
    ),
    sound=Sound.BELLS,
    cues=_cues(
        (
            "0:00",
            """A bell. Sit upright. Breathe in for a count of four, hold gently for four,
            breathe out for four, hold for four. If a hold feels uncomfortable, shorten it
            or leave it out.""",
        ),
        ("4:40", """A bell. Return to natural breathing."""),
    ),
    tags=("box breathing", "breath holds", "focus"),
    anxiety_min=0,
    anxiety_max=3,
    contraindications=(Contraindication.BREATH_HOLD,),
)

WALKING_ARCHIVED = DemoSession(
    slug="walking-meditation-archived",
    title="Walking meditation (older recording)",
    kind=Kind.MEDITATION,
    minutes=10,
    instructor="Ines Duarte",
    posture=Posture.STANDING,
    status=Status.ARCHIVED,
    description=(
        "Archived: slow walking with attention on the feet, indoors or in the garden. Kept "
        "for the record; a new recording is planned."
    ),
    sound=Sound.CHIMES,
    cues=_cues(
        (
            "0:00",
            """A bell. Find a path of ten or fifteen steps. Stand still first and feel your
            feet on the ground.""",
        ),
        ("1:00", """Walk slowly. Notice lifting, moving and placing each foot."""),
        ("4:00", """At the end of the path, pause, turn slowly and walk back."""),
        ("7:00", """If the mind wanders, stop for a moment, feel both feet, and go on."""),
        ("9:30", """A bell. Stand still and notice the whole body."""),
    ),
    tags=("walking", "mindfulness", "outdoors"),
    anxiety_min=0,
    anxiety_max=5,
    contraindications=(Contraindication.STANDING,),
)

DEMO_SESSIONS: tuple[DemoSession, ...] = (
    SLOW_BREATHING,
    FIVE_SENSES,
    FEET_CHAIR_BREATH_DE,
    PACED_BREATHING,
    BREATHING_SPACE,
    NOTICING_THE_BREATH,
    KINDNESS,
    SILENT_SITTING,
    SEATED_BODY_SCAN,
    LYING_BODY_SCAN,
    CHAIR_YOGA,
    SUN_SALUTATIONS,
    DRIFTING_TO_SLEEP,
    BREATHS_BEFORE_SLEEP,
    BOX_BREATHING_DRAFT,
    WALKING_ARCHIVED,
)

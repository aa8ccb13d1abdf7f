"""The words a notice uses for each audience: adults, children and young people, and staff.

The sentences around the register's facts change with the audience; the facts do not.  The
children's wording follows the ICO's Children's code: short sentences, "you", and examples,
aiming at a reading ease a 12 to 15 year old manages (ropa.notices.readability).  Staff
notices speak about employment.  `{org}` is the organisation's name.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Wording:
    # Who we are
    controller: str = (
        "{org} is responsible for the personal information described in this notice. The "
        "law calls us the controller of this information."
    )
    employment: str = ""
    covers: str = "This notice covers these services:"
    joint: str = (
        "For {service}, we share the responsibility for your information with {partners}. "
        "The law calls us joint controllers."
    )
    # What is common to all services
    bases_heading: str = "The law that lets us use your information"
    bases_intro: str = (
        "We use your information only when the law gives us a reason. Each service names its "
        "reasons, from Article 6 of the UK GDPR:"
    )
    special_intro: str = (
        "Special category data, such as health or ethnic origin, is more sensitive, so the "
        "law protects it more: we also need a condition in Article 9 of the UK GDPR and, for "
        "most, one in Schedule 1 to the Data Protection Act 2018. Each service names them."
    )
    criminal_official: str = (
        "Criminal offence data is information about criminal allegations, convictions and "
        "offences. Article 10 of the UK GDPR lets us use it under official authority or where "
        "the law authorises it; each service says which."
    )
    apd: str = (
        "Our appropriate policy document explains how we protect this information and how "
        "long we keep it; our Data Protection Officer can give you a copy."
    )
    # Each service
    what: str = "What we collect"
    about: str = "We hold information about {people}."
    # Children read the people as a list after `about_list` rather than in one long sentence.
    about_list: str = ""
    # Said before the kinds of information when the people came as a list just before.
    categories_intro: str = ""
    # How many purposes the short layer gives for each service.
    short_purposes: int = 3
    special_tag: str = " (special category data)"
    criminal_tag: str = " (criminal offence data)"
    sources: str = "Where we get it"
    why: str = "Why we use it"
    # Each purpose beside the lawful basis it rests on (Art 13(1)(c)).
    purpose_columns: tuple[str, str] = ("Purpose", "Lawful basis")
    # Basis code -> a few words for the first layer's "purpose (basis)" ("" = the law's name).
    short_plain_bases: dict[str, str] = field(default_factory=dict)
    short_purpose_basis: str = "{purposes} (lawful basis: {basis})"
    # When every purpose of a service rests on the same bases, said once after them.
    same_basis: str = "Our lawful basis for all of these: {basis}."
    one_basis: str = "Our lawful basis for this: {basis}."
    basis: str = "Our lawful reasons"
    special_basis: str = "For special category data: {condition}"
    criminal_basis: str = "For criminal offence data: {basis}"
    criminal_official_basis: str = (
        "Article 10 of the UK GDPR, under the control of official authority"
    )
    criminal_law_basis: str = "Article 10 of the UK GDPR, as the law authorises"
    also_follow: str = "We also follow: {laws}."
    # Basis code -> the reason in plain words, used instead of the register's explanations
    # and the laws behind them (the full notice for adults names those).
    plain_bases: dict[str, str] = field(default_factory=dict)
    plain_bases_note: str = ""
    # Article 9(2) condition code -> the condition in plain words, for the same readers.
    plain_conditions: dict[str, str] = field(default_factory=dict)
    interests: str = "Our legitimate interests: {interests}"
    must_give: str = "Do you have to give it to us?"
    sharing: str = "Who we share it with"
    not_shared: str = "We do not share it with other organisations."
    processors: str = "Contractors handle it for us, only on our instructions:"
    transfers: str = "When it is sent outside the UK"
    # Transfer mechanism code (resources/law/transfer_mechanisms.json) -> plain words for
    # its safeguard, said instead of the law's; a mechanism without any gets the law's.
    plain_transfers: dict[str, str] = field(default_factory=dict)
    transfer_copy: str = "Ask our Data Protection Officer for a copy of the safeguards."
    automated: str = "Decisions made by computer"
    automated_review: str = "You can ask for a person to review the decision."
    # Said only where the register records, for every activity of the service, that no
    # decision is made by computer alone (Art 22A: no meaningful human involvement).
    no_automated: str = (
        "We make no decision about you by computer alone: a person is involved in every decision."
    )
    # Choices beyond the statutory rights (opt-outs, unsubscribing), and the links.
    choices_heading: str = "Your choices"
    choices_intro: str = "As well as your rights, you can choose:"
    sar_link: str = "Ask for a copy of your information online"
    retention_schedule_link: str = "Our retention schedule lists how long we keep each record"
    retention: str = "How long we keep it"
    retention_columns: tuple[str, str] = ("Information", "How long we keep it")
    # Rights
    rights_heading: str = "Your rights"
    rights_intro: str = (
        "You have these rights over your information. To use any of them, contact our Data "
        "Protection Officer (details below). We will reply within one month."
    )
    rights_text: dict[str, str] = field(default_factory=dict)  # code -> words; law's by default
    # Right code -> its heading ("" = the law's name for it).
    rights_names: dict[str, str] = field(default_factory=dict)
    erasure_intro: str = (
        "You can ask us to delete your information. Whether we must depends on why we hold it:"
    )
    erasure_by_basis: dict[str, str] = field(
        default_factory=lambda: {
            "a": "we delete it when you ask, or when you withdraw your consent",
            "b": "we delete it once we no longer need it for the contract",
            "c": "the right does not apply while the law requires us to keep it",
            "d": "we delete it once it is no longer needed to protect someone's life",
            "e": (
                "the right does not apply while we need it for our public tasks, but you can "
                "object (below)"
            ),
            "ea": "we consider each request and tell you our decision and why",
            "f": "we delete it if you object and we have no overriding reason to keep it",
        }
    )
    erasure_always: str = (
        "Whatever the reason, we delete information when the period given for it above ends, "
        "and you can ask us to delete information held unlawfully."
    )
    applies_to: str = "This applies to: {names}."
    applies_except: str = "This applies to every service except {names}."
    applies_by_basis: str = "This applies to the services that rely on {bases}."
    # Contact and complaints
    dpo_heading: str = "How to contact our Data Protection Officer"
    dpo_intro: str = (
        "Our Data Protection Officer makes sure we follow data protection law. Contact them "
        "about anything in this notice, or to use your rights:"
    )
    complain_heading: str = "How to complain"
    complain_first: str = (
        "If you are unhappy with how we have used your information, please tell us first so "
        "that we can put things right."
    )
    complain_contact: str = "Contact our Data Protection Officer, using the details above."
    complain_ico: str = (
        "If you are still unhappy, you have the right to complain to the Information "
        "Commissioner's Office (ICO), the UK's independent regulator for data protection:"
    )
    # The short first layer
    short_who: str = (
        "{org} is responsible for your information (the law calls us the controller). This "
        "is a summary: the full privacy notice tells you more."
    )
    short_uses: str = "What we use your information for"
    short_sharing: str = "Who we share it with"
    short_sharing_more: str = "We share it with others too: the full notice names them all."
    short_contact_dpo: str = "Our Data Protection Officer answers questions about your information:"
    short_contact_ico: str = "To complain to the Information Commissioner's Office (ICO):"
    short_rights: str = (
        "You can ask for a copy of your information, ask us to correct it, and ask us to "
        "limit how we use it. Depending on the service, you can also ask us to delete it, "
        "object to how we use it or withdraw your consent. You can complain to us or to the "
        "Information Commissioner's Office (ICO)."
    )
    short_contact: str = "How to contact us"
    full_link: str = "Read the full privacy notice"
    full_ask: str = "Ask our Data Protection Officer for the full privacy notice."
    # Just-in-time text
    jit_why: str = "{org} uses the information you give on this form for {purpose}."
    # {period} says "for ..." or "until ..." itself.
    jit_basis: str = "Our lawful basis for this is {basis}."
    jit_share_keep: str = "We share it with {recipients} when we need to, and keep it {period}."
    jit_keep: str = "We keep it {period}."
    jit_more: str = "Our privacy notice explains more, including your rights{where}."


ADULTS = Wording()

STAFF = dataclasses.replace(
    ADULTS,
    controller=(
        "{org} is responsible for the information we hold about you as someone who works "
        "for us. The law calls us the controller of this information."
    ),
    employment=(
        "We use it to recruit you, pay you, manage and support your work, keep you safe at "
        "work and meet our duties as an employer."
    ),
    covers="This notice explains what happens to your information in these parts of our work:",
    rights_intro=(
        "You have these rights over your information. To use any of them, contact our Data "
        "Protection Officer (details below); you can also ask your manager or Human "
        "Resources. We will reply within one month."
    ),
    dpo_intro=(
        "Our Data Protection Officer makes sure we follow data protection law. Contact them "
        "about anything in this notice, or to use your rights. Your manager or Human "
        "Resources can also help:"
    ),
    jit_why="{org} uses the information you give on this form for {purpose}, as your employer.",
)

# The IDTA and the UK Addendum are contracts the receiver signs (Art 46(2)(d)).
_SIGNED_AGREEMENT = (
    "We have a signed agreement with them. It says they must keep your information as safe "
    "as we do."
)

CHILDREN = dataclasses.replace(
    ADULTS,
    controller=(
        "We are {org}. We are in charge of the information we keep about you. The law calls "
        "us the controller."
    ),
    covers="This notice is about these services:",
    joint=(
        "For {service}, we look after your information together with {partners}. The law "
        "calls us joint controllers."
    ),
    bases_heading="Why we are allowed to use it",
    # Children read each basis in plain words in their service's section, not here too.
    bases_intro=(
        "The law says we need a good reason to use your information. Each service below "
        "says which reasons it uses."
    ),
    special_intro=(
        "Facts about your health, your religion or where your family comes from are extra "
        "private. The law calls them special category data. We need an extra reason to use "
        "them. Each service below says which one."
    ),
    criminal_official=(
        "Facts about crimes are called criminal offence data. We only use them when the law "
        "lets us."
    ),
    apd=(
        "We have written down how we keep this information safe. Ask our Data Protection "
        "Officer if you want to see it."
    ),
    what="What we know about you",
    about="This is about {people}.",
    about_list="This is about:",
    categories_intro="What we keep:",
    short_purposes=2,
    special_tag=" (extra private)",
    criminal_tag=" (about crimes)",
    sources="Where it comes from",
    why="Why we use it",
    basis="Our reasons",
    special_basis="For extra private facts: {condition}",
    criminal_basis="For facts about crimes: {basis}",
    criminal_official_basis="the law lets us, and we are in charge of it",
    criminal_law_basis="the law lets us",
    also_follow="We also follow these laws: {laws}.",
    plain_bases={
        "a": "you, or your parent or carer, said yes",
        "b": "we have an agreement with you",
        "c": "the law says we must do it",
        "d": "we need it to keep someone safe from serious harm",
        "e": "it is a job the law gives us, like keeping children safe",
        "ea": "the law says it is a good reason, like stopping crime",
        "f": "it helps us do our work, and we have checked it is fair to you",
    },
    # No word of a notice for adults: the organisation may have none.
    plain_bases_note="Our Data Protection Officer can tell you which laws these are.",
    purpose_columns=("What we use it for", "Why we are allowed to"),
    short_plain_bases={
        "a": "you said yes",
        "b": "we have an agreement with you",
        "c": "the law says we must",
        "d": "we need it to keep someone safe",
        "e": "it is a job the law gives us",
        "ea": "the law says it is a good reason",
        "f": "it helps our work and is fair to you",
    },
    short_purpose_basis="{purposes} (because {basis})",
    same_basis="We are allowed to do all of these because {basis}.",
    one_basis="We are allowed to do this because {basis}.",
    jit_basis="We are allowed to because {basis}.",
    plain_conditions={
        "a": "you, or your parent or carer, said yes",
        "b": "the law about jobs and benefits lets us",
        "c": "we need it to keep someone alive or safe",
        "f": "we need it for a court case",
        "g": "the law says it matters to everyone",
        "h": "we need it to care for you",
        "i": "we need it to keep people healthy",
        "j": "we use it for research or counting, without naming you",
    },
    interests="Why it helps: {interests}",
    must_give="Do you have to tell us?",
    not_shared="We do not share it with anyone else.",
    processors="These companies help us. They must follow our rules:",
    transfers="When it goes to another country",
    # Each names only the safeguard its mechanism is: a signed agreement is the IDTA or
    # the Addendum, never adequacy regulations, binding rules or an Article 49 derogation.
    plain_transfers={
        "adequacy": (
            "The UK government has checked that the law there protects your information "
            "about as well as UK law does."
        ),
        "idta": _SIGNED_AGREEMENT,
        "uk_addendum": _SIGNED_AGREEMENT,
        "bcr": (
            "The companies that get it all follow the same rules to keep it safe. The UK's "
            "data protection regulator has approved the rules."
        ),
        "article49": (
            "We only send it there in special cases the law allows, such as when you, or your "
            "parent or carer, say yes."
        ),
    },
    transfer_copy="Ask our Data Protection Officer if you want to know how we keep it safe.",
    automated="When a computer decides",
    automated_review="You can ask a person to check the decision.",
    no_automated="A computer never makes a decision about you on its own. A person always helps.",
    choices_heading="Other choices you have",
    choices_intro="You can also choose:",
    sar_link="Ask to see your information online",
    retention_schedule_link="Our list of how long we keep things",
    retention="How long we keep it",
    retention_columns=("What", "How long"),
    rights_heading="Your rights",
    rights_intro=(
        "You have rights over your information. You can use them yourself. A parent, carer "
        "or any adult you trust can help you. Tell our Data Protection Officer what you want. "
        "We will reply within one month."
    ),
    rights_text={
        "access": (
            "You can ask for a copy of the information we have about you, such as your case "
            "notes. It is free."
        ),
        "rectification": (
            "Tell us if something is wrong, like your birthday, and we will fix it. If we do "
            "not agree, we add a note of what you said."
        ),
        "restriction": (
            "You can ask us to stop using your information for a while. For example, while we "
            "check if it is right."
        ),
        "portability": (
            "You can ask for a copy of the information you gave us in a computer file. You "
            "can ask us to send it to someone else."
        ),
        "object": (
            "You can ask us to stop using your information. We will stop unless we have a "
            "strong reason to carry on. For example, to keep you or someone else safe."
        ),
        "withdraw_consent": (
            "If you said yes to us using your information, you can change your mind at any "
            "time. Just tell us."
        ),
        "automated_decisions": (
            "If a computer makes a big decision about you, you can ask a person to check it. "
            "You can tell us what you think."
        ),
    },
    erasure_intro=(
        "You can ask us to delete your information. What happens depends on why we have it:"
    ),
    rights_names={
        "access": "Seeing your information",
        "rectification": "Fixing wrong information",
        "erasure": "Deleting information",
        "restriction": "Pausing how we use it",
        "portability": "Taking your information with you",
        "object": "Asking us to stop",
        "withdraw_consent": "Changing your mind",
        "automated_decisions": "When a computer decides",
    },
    erasure_by_basis={
        "a": "we delete it when you ask",
        "b": "we delete it when we no longer need it",
        "c": "we have to keep it, because the law says so",
        "d": "we delete it when it is no longer needed to keep someone safe",
        # Objecting is asking us to stop (Art 21(1)), not telling us you are unhappy.
        "e": (
            "we keep it while we need it for our job. You can ask us to stop (see “Asking us "
            "to stop”)"
        ),
        "ea": "we look at what you asked and tell you what we decided",
        "f": "we delete it if you tell us to stop and we have no strong reason to keep it",
    },
    erasure_always="We always delete it when the time shown for it is up.",
    applies_to="This is for: {names}.",
    applies_except="This is for every service except {names}.",
    applies_by_basis="This is for the services that use these reasons: {bases}.",
    dpo_heading="Who to talk to",
    dpo_intro=(
        "Our Data Protection Officer checks that we follow the law. You can ask them "
        "anything about this notice:"
    ),
    complain_heading="If you are not happy",
    complain_first=(
        "If you are not happy with how we use your information, tell us first. We will try "
        "to put it right."
    ),
    complain_contact="Talk to our Data Protection Officer. Their details are above.",
    complain_ico=(
        "If you are still not happy, you can complain to the Information Commissioner's "
        "Office (ICO). They check that everyone follows the law:"
    ),
    short_who=(
        "We are {org}. We are in charge of the information we keep about you. This is a "
        "short guide. The full notice tells you more."
    ),
    short_uses="What we use your information for",
    short_sharing="Who we share it with",
    short_sharing_more="We share it with others too. The full notice lists them.",
    short_contact_dpo="You can ask our Data Protection Officer about your information:",
    short_contact_ico="To complain to the ICO:",
    short_rights=(
        "You can ask to see your information. You can ask us to fix it if it is wrong. "
        "Sometimes you can ask us to delete it or stop using it. You can complain to us or "
        "to the ICO."
    ),
    short_contact="Who to talk to",
    full_link="Read the full notice",
    full_ask="Ask our Data Protection Officer for the full notice.",
    jit_why="We use what you tell us on this form for {purpose}.",
    jit_share_keep="We share it with {recipients} when we need to. We keep it {period}.",
    jit_keep="We keep it {period}.",
    jit_more="Our privacy notice tells you more, and about your rights{where}.",
)

_BY_AUDIENCE = {"adults": ADULTS, "children": CHILDREN, "staff": STAFF}


def wording_for(audience: str) -> Wording:
    return _BY_AUDIENCE.get(audience, ADULTS)

"""The demo foundation's facts, as data the loader turns into rows and pages.

Names of companies and people are fictional.
"""

import datetime
from decimal import Decimal

HOME = {
    "intro": "<p>Providing infrastructure using open source solutions: the people, projects and companies "
    "that build open infrastructure, together.</p>",
    "purpose": "<p>The Open Infrastructure Foundation (OpenInfra) supports the development and adoption of open "
    "source infrastructure software — from physical hardware and virtualisation, through IaaS and application "
    "deployment APIs, up to the cloud-native applications that run on them. We serve the users, the application "
    "developers and deployers, and the infrastructure providers who make it all work.</p>",
    "search_description": "The Open Infrastructure Foundation: open source infrastructure for everyone — "
    "OpenStack, Kata Containers, StarlingX, Zuul and Airship.",
}

WHY_OPEN_INFRASTRUCTURE = {
    "heading": "Why open infrastructure",
    "intro": "Organisations run their own open infrastructure for what it gives them that nothing else does.",
    "features": [
        ("Availability", "Run the infrastructure you need where you need it, without waiting for a vendor's roadmap."),
        ("Sustainability", "Reuse hardware longer and share the work of maintaining software across a community."),
        ("Transparency and self-service", "See how every layer works and operate it yourself, on your own terms."),
        ("Influenceability", "Shape the software you depend on by contributing to it in the open."),
    ],
}

WHY_ORGANISATIONS_CHOOSE = {
    "heading": "Why organisations choose it",
    "intro": "",
    "features": [
        (
            "Capabilities",
            "One size does not fit all: some features, such as GPUs, are overpriced elsewhere, and some are just missing.",
        ),
        (
            "Compliance",
            "Legal requirements on data locality, and confidentiality for strategic companies, call for infrastructure you control.",
        ),
        (
            "Cost",
            "Open infrastructure competes with hyperscale public clouds, and with proprietary solutions or starting from scratch.",
        ),
    ],
}

AIMS = {
    "heading": "What the foundation aims for",
    "intro": "",
    "features": [
        ("Enable interoperability", "Open standards and APIs let clouds and tools work together."),
        ("Make technology available to all", "Infrastructure software that anyone may use, study, change and share."),
        ("Allow permissionless innovation", "Build on the stack without asking anyone for permission."),
        ("Reduce waste", "Share effort across organisations instead of building the same thing many times."),
    ],
}

FOUR_OPENS = [
    ("Open source", "Software released under an OSI-approved licence, with no “enterprise edition” held back."),
    ("Open design", "Design decisions are made in public, at events and on mailing lists anyone can join."),
    ("Open development", "Code review, continuous integration and planning happen in public tools."),
    ("Open community", "Leadership is chosen by the contributors; anyone can participate and earn a say."),
]

STACK = [
    ("Cloud-native applications", "What users build and run."),
    ("Application deployment APIs", "Kubernetes standardises this layer — and assumes a cloud underneath."),
    ("IaaS APIs", "OpenStack: compute, storage and networking on demand."),
    ("Hardware virtualization", "Virtual machines and lightweight VMs such as Kata Containers."),
    ("Physical hardware", "Servers, GPUs, storage (often Ceph) and networks."),
]

PROJECTS = [
    {
        "slug": "openstack",
        "title": "OpenStack",
        "tagline": "A pure IaaS cloud, for private and public use cases.",
        "description": "<p>OpenStack is an open source cloud computing infrastructure software project: it controls large "
        "pools of compute, storage and networking resources through APIs and a dashboard. It powers private clouds "
        "inside enterprises and public clouds around the world, and it is more used than ever — managing more than "
        "40 million CPU cores in production.</p>",
        "governance": "<p>OpenStack is developed under the 4 Opens. An elected Technical Committee stewards the "
        "technical direction; each project team elects its own lead every release cycle.</p>",
        "status": "confirmed",
        "founded_year": 2010,
        "website": "https://www.openstack.org/",
        "repository": "https://opendev.org/openstack",
        "documentation": "https://docs.openstack.org/",
        "latest_release_name": "2025.2 Flamingo",
        "latest_release_date": datetime.date(2025, 10, 1),
        "tags": ["iaas", "cloud", "python"],
        "related": ["starlingx", "kata-containers", "zuul"],
        "search_description": "OpenStack: a pure IaaS cloud for private and public use cases, developed under the 4 Opens.",
    },
    {
        "slug": "kata-containers",
        "title": "Kata Containers",
        "tagline": "Containers with the isolation of lightweight virtual machines.",
        "description": "<p>Kata Containers is an open source container runtime that builds lightweight virtual machines "
        "which feel and perform like containers, but provide the stronger workload isolation of hardware "
        "virtualization as a second layer of defence.</p>",
        "governance": "<p>An elected Architecture Committee guides the project's technical direction.</p>",
        "status": "confirmed",
        "founded_year": 2017,
        "website": "https://katacontainers.io/",
        "repository": "https://github.com/kata-containers/kata-containers",
        "documentation": "https://github.com/kata-containers/kata-containers/tree/main/docs",
        "latest_release_name": "3.20.0",
        "latest_release_date": datetime.date(2025, 8, 20),
        "tags": ["containers", "virtualization", "security"],
        "related": ["openstack", "starlingx"],
        "search_description": "Kata Containers: containers with the isolation of lightweight virtual machines.",
    },
    {
        "slug": "starlingx",
        "title": "StarlingX",
        "tagline": "A distributed edge cloud platform built on OpenStack and Kubernetes.",
        "description": "<p>StarlingX is a complete cloud infrastructure software stack for the edge, used by the most "
        "demanding applications in industrial IoT, telecom, video delivery and other ultra-low-latency use cases. "
        "It combines OpenStack and Kubernetes with components for distributed, highly available operation.</p>",
        "governance": "<p>A Technical Steering Committee oversees the project; sub-projects elect their leads.</p>",
        "status": "confirmed",
        "founded_year": 2018,
        "website": "https://www.starlingx.io/",
        "repository": "https://opendev.org/starlingx",
        "documentation": "https://docs.starlingx.io/",
        "latest_release_name": "10.0",
        "latest_release_date": datetime.date(2025, 2, 12),
        "tags": ["edge", "kubernetes", "telecom"],
        "related": ["openstack", "airship"],
        "search_description": "StarlingX: a distributed edge cloud platform built on OpenStack and Kubernetes.",
    },
    {
        "slug": "zuul",
        "title": "Zuul",
        "tagline": "Project gating and CI/CD at scale.",
        "description": "<p>Zuul is a program that drives continuous integration, delivery and deployment systems with a "
        "focus on project gating and interrelated projects. It keeps every branch of every project always "
        "releasable by testing changes together, in order, before they merge.</p>",
        "governance": "<p>Zuul is maintained by a group of maintainers who decide by consensus, under the 4 Opens.</p>",
        "status": "confirmed",
        "founded_year": 2012,
        "website": "https://zuul-ci.org/",
        "repository": "https://opendev.org/zuul/zuul",
        "documentation": "https://zuul-ci.org/docs/",
        "latest_release_name": "12.1.0",
        "latest_release_date": datetime.date(2025, 6, 3),
        "tags": ["ci-cd", "gating", "python"],
        "related": ["openstack"],
        "search_description": "Zuul: project gating and CI/CD at scale.",
    },
    {
        "slug": "airship",
        "title": "Airship",
        "tagline": "Declarative lifecycle management of open infrastructure.",
        "description": "<p>Airship is a collection of loosely coupled but interoperable open source tools that "
        "declaratively automate cloud provisioning and lifecycle management, from bare metal to Kubernetes and "
        "OpenStack, driven by a single set of YAML documents.</p>",
        "governance": "<p>A Technical Committee and a Working Committee guide the project.</p>",
        "status": "confirmed",
        "founded_year": 2018,
        "website": "https://www.airshipit.org/",
        "repository": "https://opendev.org/airship",
        "documentation": "https://docs.airshipit.org/",
        "latest_release_name": "2.1",
        "latest_release_date": datetime.date(2021, 10, 7),
        "tags": ["lifecycle", "kubernetes", "bare-metal"],
        "related": ["starlingx", "openstack"],
        "search_description": "Airship: declarative lifecycle management of open infrastructure.",
    },
]

TIERS = [
    {
        "slug": "platinum",
        "name": "Platinum",
        "rank": 1,
        "annual_fee": Decimal("350000.00"),
        "seat_limit": 8,
        "board_seat": True,
        "description": "Strategic members who shape the foundation's direction.",
        "benefits": [
            "A seat on the Board of Directors",
            "Headline logo placement on the website and at every summit",
            "Priority for summit keynote and sponsorship opportunities",
            "Twelve complimentary summit passes a year",
            "Quarterly briefings with the foundation's staff",
        ],
    },
    {
        "slug": "gold",
        "name": "Gold",
        "rank": 2,
        "annual_fee": Decimal("100000.00"),
        "seat_limit": 24,
        "board_seat": False,
        "description": "Members who invest in the projects and elect Gold directors to the board.",
        "benefits": [
            "Gold members together elect directors to the board",
            "Logo on the website and at summits",
            "Six complimentary summit passes a year",
            "Case studies and news promoted by the foundation",
        ],
    },
    {
        "slug": "silver",
        "name": "Silver",
        "rank": 3,
        "annual_fee": Decimal("25000.00"),
        "seat_limit": None,
        "board_seat": False,
        "description": "Companies that build on and contribute to open infrastructure.",
        "benefits": [
            "Logo in the member directory",
            "Two complimentary summit passes a year",
            "Discounted summit sponsorships",
        ],
    },
    {
        "slug": "associate",
        "name": "Associate",
        "rank": 4,
        "annual_fee": Decimal("0.00"),
        "seat_limit": None,
        "board_seat": False,
        "description": "Non-profits, academic and government bodies.",
        "benefits": [
            "Listing in the member directory",
            "One complimentary summit pass a year",
            "A voice in the foundation's working groups",
        ],
    },
]

# (name, tier slug, country, industry, description, member since)
ORGANIZATIONS = [
    (
        "Northwind Cloud",
        "platinum",
        "United States",
        "cloud",
        "Public and private OpenStack clouds across North America.",
        2012,
    ),
    (
        "Fjordline Systems",
        "platinum",
        "Norway",
        "hardware",
        "Servers and accelerators designed for open infrastructure.",
        2013,
    ),
    ("Kestrel Telecom", "platinum", "Germany", "telecom", "A European carrier running its 5G core on StarlingX.", 2015),
    (
        "Sakura Digital Works",
        "platinum",
        "Japan",
        "software",
        "Enterprise distributions and support for OpenStack.",
        2014,
    ),
    (
        "Cobalt Bay Networks",
        "platinum",
        "United States",
        "telecom",
        "Network functions virtualisation for operators.",
        2016,
    ),
    ("Meridian Compute", "platinum", "Singapore", "cloud", "Sovereign cloud regions across South-East Asia.", 2018),
    (
        "Aurora Stackworks",
        "gold",
        "Canada",
        "software",
        "Consulting and managed OpenStack for regulated industries.",
        2014,
    ),
    ("Bluepeak Hosting", "gold", "Switzerland", "cloud", "A Swiss public cloud built on OpenStack and Ceph.", 2017),
    (
        "Ironbridge Financial Technology",
        "gold",
        "United Kingdom",
        "finance",
        "Private clouds for trading and payments.",
        2016,
    ),
    ("Lumen Grove Retail", "gold", "France", "retail", "E-commerce at scale on a private OpenStack cloud.", 2019),
    (
        "Tidewater Energy Systems",
        "gold",
        "Netherlands",
        "government",
        "Grid operators' private clouds at the edge.",
        2020,
    ),
    ("Quillon Semiconductor", "gold", "South Korea", "hardware", "Chips and SmartNICs with upstream drivers.", 2018),
    ("Harbourlight Media", "gold", "Australia", "media", "Video delivery platforms on Kata Containers.", 2021),
    (
        "Orchard Automation",
        "gold",
        "Germany",
        "manufacturing",
        "Factory edge clouds for connected production lines.",
        2022,
    ),
    ("Pinecrest Data", "silver", "United States", "software", "Observability tooling for OpenStack operators.", 2019),
    ("Saltmarsh Hosting", "silver", "Ireland", "cloud", "Developer-friendly cloud hosting in Dublin.", 2020),
    ("Vireo Labs", "silver", "Brazil", "software", "CI/CD services built on Zuul.", 2021),
    ("Calder Rail Systems", "silver", "Spain", "government", "Signalling and edge compute for railways.", 2022),
    ("Nimbus Forge", "silver", "India", "cloud", "Regional public cloud for Indian businesses.", 2023),
    ("Brightwater Games", "silver", "Finland", "media", "Game servers on bare-metal Kubernetes.", 2023),
    ("Redkite Commerce", "silver", "Poland", "retail", "Marketplace platform on a hybrid OpenStack cloud.", 2024),
    (
        "University of Eastmarch",
        "associate",
        "United Kingdom",
        "research",
        "Research computing for 30,000 students and staff.",
        2015,
    ),
    (
        "Alpine Research Computing Centre",
        "associate",
        "Switzerland",
        "research",
        "A national supercomputing and cloud centre.",
        2017,
    ),
    (
        "Open Source Commons Trust",
        "associate",
        "United States",
        "nonprofit",
        "A charity that supports open source maintainers.",
        2020,
    ),
    (
        "Ministry of Digital Services of Veloria",
        "associate",
        "Veloria",
        "government",
        "Sovereign government cloud of a fictional state.",
        2022,
    ),
]

# A former member: its membership has ended, so the directory does not show it.
FORMER_MEMBER = ("Greyfield Hosting", "silver", "Canada", "cloud", "A former member whose membership lapsed.", 2016)

# Which members contribute to which project (by organisation slug).
CONTRIBUTORS = {
    "openstack": [
        "northwind-cloud",
        "sakura-digital-works",
        "aurora-stackworks",
        "bluepeak-hosting",
        "meridian-compute",
    ],
    "kata-containers": ["fjordline-systems", "harbourlight-media", "quillon-semiconductor"],
    "starlingx": ["kestrel-telecom", "cobalt-bay-networks", "orchard-automation"],
    "zuul": ["vireo-labs", "pinecrest-data", "northwind-cloud"],
    "airship": ["cobalt-bay-networks", "kestrel-telecom"],
}

NEWS = [
    {
        "slug": "openstack-flamingo-released",
        "title": "OpenStack 2025.2 Flamingo is available",
        "date": datetime.date(2025, 10, 1),
        "author": "Rowan Hale",
        "tags": ["openstack", "release"],
        "intro": "The 32nd release of OpenStack brings better GPU scheduling and faster upgrades.",
        "body": "Flamingo is the work of hundreds of contributors from dozens of organisations. Operators will "
        "notice improved scheduling of GPU and accelerator workloads, smoother skip-level upgrades and a "
        "long list of fixes contributed by the people who run OpenStack in production.",
    },
    {
        "slug": "openstack-40-million-cores",
        "title": "OpenStack now manages more than 40 million cores in production",
        "date": datetime.date(2022, 11, 16),
        "author": "Imogen Vale",
        "tags": ["openstack", "user-survey"],
        "intro": "The 2022 user survey counts more than 40 million CPU cores in production, 60% more than a year ago.",
        "body": "Existing users are increasing their footprint, and there are many new users — among them new public "
        "clouds such as Binero, Cloudfire, Infomaniak, NIPA Cloud and OROCK Technologies. Digital sovereignty "
        "drives public cloud adoption, and it drives adoption in research as well.",
    },
    {
        "slug": "kata-containers-3-20",
        "title": "Kata Containers 3.20 improves confidential computing",
        "date": datetime.date(2025, 8, 20),
        "author": "Tomasz Reed",
        "tags": ["kata-containers", "release", "security"],
        "intro": "The new release makes confidential containers easier to run on current hardware.",
        "body": "Kata Containers 3.20 extends support for confidential computing hardware and trims the start-up "
        "time of lightweight virtual machines, keeping the isolation of a VM with the feel of a container.",
    },
    {
        "slug": "new-platinum-member-meridian-compute",
        "title": "Meridian Compute joins as a Platinum member",
        "date": datetime.date(2025, 3, 4),
        "author": "Rowan Hale",
        "tags": ["membership"],
        "intro": "The sovereign cloud provider takes a seat on the foundation's board.",
        "body": "Meridian Compute runs sovereign cloud regions across South-East Asia on OpenStack. As a Platinum "
        "member it appoints a director to the Board and will co-chair the edge working group.",
    },
    {
        "slug": "zuul-at-scale",
        "title": "How operators gate thousands of changes a day with Zuul",
        "date": datetime.date(2024, 6, 12),
        "author": "Aisha Moreno",
        "tags": ["zuul", "ci-cd"],
        "intro": "Zuul users share how project gating keeps large code bases always releasable.",
        "body": "Speakers from three member companies explained how they test changes across hundreds of "
        "repositories together, in order, before they merge — and how that keeps every branch releasable.",
    },
    {
        "slug": "starlingx-10",
        "title": "StarlingX 10.0 brings the edge closer",
        "date": datetime.date(2025, 2, 12),
        "author": "Imogen Vale",
        "tags": ["starlingx", "release", "edge"],
        "intro": "The edge cloud platform adds distributed cloud scaling and a newer Kubernetes.",
        "body": "StarlingX 10.0 manages thousands of sub-clouds from one central cloud, upgrades Kubernetes and "
        "tightens security for telecom and industrial deployments.",
    },
]

FOOTER_LINKS = [
    ("About the foundation", "/about/"),
    ("Projects", "/projects/"),
    ("Member directory", "/members/"),
    ("Join", "/join/"),
    ("News", "/news/"),
    ("Search", "/search/"),
    ("API", "/api/docs/"),
]

SITE_SETTINGS = {
    "foundation_name": "Open Infrastructure Foundation",
    "short_name": "OpenInfra",
    "tagline": "Providing infrastructure using open source solutions.",
    "contact_email": "info@openinfra.example",
    "github_url": "https://github.com/openinfra-demo",
    "mastodon_url": "https://social.openinfra.example/@openinfra",
    "linkedin_url": "https://www.linkedin.com/company/openinfra-demo",
    "youtube_url": "https://www.youtube.com/@openinfra-demo",
}

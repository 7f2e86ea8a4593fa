"""Word lists the layout parser weighs lines with, in the languages cardscan reads (English,
German, French, Spanish, Portuguese, Italian, Dutch). Each list names a kind of word, never
the text of a particular card; legal forms come from cleanco's table (MIT, per country)."""

from __future__ import annotations

import re

from cleanco.termdata import terms_by_type

from .lines import fold


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Words that name a kind of organisation or business: a line holding one is more likely the
# company than a person ("Lotus Thai Bistro", "Bay Tech Insurance Services", "Politecnico di
# Torino"). Lower-case, accents folded.
ORGANISATION_WORDS = _words("""
    university universitat universidad universita universite universidade college school
    schule escuela escola scuola ecole institute institut instituto istituto politecnico
    polytechnic academy akademie academia hospital klinik clinic clinica klinikum centre
    center centro zentrum laboratory laboratories labs library libraries foundation stiftung
    fundacion fundacao fondazione association verein associacao associazione society societe
    sociedad bank banco banque sparkasse insurance versicherung seguros assurance assicurazioni
    services service servicos servicios dienstleistungen solutions losungen soluciones solucoes
    systems systeme sistemas technologies technology technologie tecnologia tech software
    consulting consultants beratung consultoria media studio studios agency agentur agencia
    bureau buro office ministry ministerium ministerio ministere council government
    museum gallery galerie theatre theater teatro cinema kino forum club
    church hotel motel inn hostel restaurant ristorante restaurante trattoria pizzeria cafe
    coffee bistro brasserie bar grill kitchen cocina cozinha catering bakery backerei
    boulangerie padaria panaderia buffet deli market markt mercado store shop boutique
    salon spa nails nail beauty fitness gym yoga massage therapy dental dentist pharmacy
    apotheke farmacia pharmacie optica otica optik books bookstore printing printers print
    auto autohaus motors garage repair werkstatt oficina mecanica realty immobilien
    properties construction bau logistics logistik transport transportes freight airlines
    travel reisen viagens tours imports exports trading handel comercio commerce industries
    industrie industria manufacturing group gruppe grupo gruppo holding holdings partners
    capital ventures investments finance financial advisors law legal kanzlei advocacia
    abogados avocats notary notar cartorio architects architekten arquitetura design designs
    engineering ingenieure engenharia ingenieria electronics elektronik eletronica
    electronica informatica informatik computers telecom communications
""")

# Words of job titles beyond the parser's core list: roles, ranks and academic positions.
TITLE_WORDS = _words("""
    student candidate scholar fellow examiner inspector researcher lecturer dozent docente
    professor professorin professeur profesor professora investigador pesquisador ricercatore
    assistant assistentin assistente asistente intern trainee apprentice auszubildender
    berater beraterin verkaufsberater sachbearbeiter referent referentin mitarbeiter
    ingenieur ingenieurin ingeniero ingeniera engenheiro engenheira ingegnere engineer
    consultant consultante consulente conseiller conseillere asesor asesora assessor
    administrator administrador amministratore advisor manager managerin gerant gerante
    jefe jefa chefe capo direktor direktorin direttore direttrice dirigente presidente
    praesident prasident vorstand inhaber inhaberin proprietor proprietaire propietario
    socio socia partnerin founder fundador fundadora fondateur gruender grunder
    secretary secretaria secretario segretaria sekretarin receptionist recepcionista
    editor redakteur reporter correspondent photographer fotografo fotograf chef cook
    sommelier barista waiter kellner camarero garcom stylist cabeleireiro cabeleireira
    peluquero friseur friseurin esthetician esteticista therapist terapeuta physiotherapist
    nurse enfermeira enfermera krankenschwester doctor doutor doutora arzt arztin medico
    medica medecin dentista zahnarzt lawyer anwalt anwaltin rechtsanwalt abogado abogada
    advogado advogada avvocato avocat notario notar tabeliao escrevente broker makler
    corretor corredor agent agente vertreter representative representante vendedor
    vendedora verkaufer verkauferin commercial comercial sales vendas ventas vertrieb
    coordinator coordenador coordenadora coordinador coordinadora koordinator supervisor
    supervisora teamleiter teamleiterin leiter leiterin head lead senior junior chief
    principal associate specialist especialista spezialist analyst analista analytiker
    directora director direttore responsabile jefe adviseur medewerker eigenaar verkoper
    bedrijfsleider directeur-generaal oprichter vennoot
""")
# Dutch, German and Nordic titles are compounds ("Accountmanager", "Vertriebsleiter"): these
# endings.
TITLE_ENDINGS = ("manager", "leiter", "leiterin", "berater", "beraterin", "direktor",
                 "direktorin", "ingenieur", "ingenieurin", "adviseur", "medewerker", "directeur",
                 "fuhrer", "fuhrerin", "referent", "referentin", "assistent", "assistentin",
                 # Nordic: "Säljchef", "Daglig leder", "Salgsdirektør", "Myyntipäällikkö"
                 "chef", "sjef", "leder", "direktør", "direktor", "paallikko", "johtaja")

# East Asian titles end the line ("営業部 課長", "销售经理", "영업팀장"): Japanese, Chinese
# (simplified and traditional) and Korean ranks and roles.
CJK_TITLE_RE = re.compile(
    r"(?:社長|副社長|会長|部長|次長|課長|係長|主任|主査|取締役|代表|代表取締役|専務|常務|執行役員|"
    r"顧問|室長|所長|店長|支店長|本部長|マネージャー|ディレクター|エンジニア|コンサルタント|"
    r"经理|經理|总经理|總經理|总监|總監|主管|董事长|董事長|董事|总裁|總裁|工程师|工程師|顾问|"
    r"顧問|秘书|秘書|教授|研究员|研究員|"
    r"팀장|부장|과장|차장|대리|주임|사원|이사|대표|대표이사|사장|실장|본부장|상무|전무|매니저|"
    r"연구원|교수)$")

# Academic and professional prefixes printed before a name (set apart from the name).
NAME_PREFIXES = re.compile(
    r"^(?:(?:dr|prof|dipl|ing|mag|lic|eng|arq|adv|sr|sra|srta|mr|mrs|ms|mme|m|herr|frau|"
    r"dott|dottssa|avv)\.?(?:-\s?(?:ing|kfm|inf|oec|psych)\.?)?\s+)+", re.IGNORECASE)

# Departments and faculties: a line naming one is neither the person nor the company.
DEPARTMENT_RE = re.compile(
    r"\b(?:department|dept\.?|division|abteilung|departamento|d[ée]partement|dipartimento|"
    r"bereich|faculty|fakult[äa]t|facultad|faculdade|facolt[àa]|school of|lehrstuhl|"
    r"chair of)\b|(?<=[\u4e00-\u9fff\u30a0-\u30ff])(?:部|課|室|部门|部門|본부)$|[가-힣]팀$",
    re.IGNORECASE)

# Words that make a line read as a sentence (a tagline or an offer), not as a name.
SENTENCE_WORDS = _words("""
    a an the and or with for your you our we to of in on at by from is are be all now
    und mit fur ihr ihre wir zu von im am der die das ein eine
    et avec pour votre vous nous le la les des un une du de en
    y con para su sus nuestro nuestra el los las del en e com para seu sua nosso nossa os as
    do da dos das no na ao e il lo gli con per vostro nostro
""")


def _legal_terms() -> list[str]:
    terms = {t.lower().strip() for group in terms_by_type.values() for t in group}
    return sorted((t for t in terms if t), key=len, reverse=True)


LEGAL_TERMS = tuple(_legal_terms())


_EDGES = ".,&/()'\u2019-"


def organisation_word(text: str) -> bool:
    return bool({w.strip(_EDGES) for w in fold(text).split()} & ORGANISATION_WORDS)


def title_word(text: str) -> bool:
    words = {w.strip(_EDGES) for w in fold(text).replace("-", " ").split()}
    return (bool(words & TITLE_WORDS) or any(w.endswith(TITLE_ENDINGS) for w in words)
            or bool(CJK_TITLE_RE.search(text.strip())))


def sentence_like(text: str) -> bool:
    """Five words or more, two of them the little words of a sentence, or an exclamation."""
    words = fold(text).split()
    if text.rstrip().endswith("!") and len(words) >= 3:
        return True
    return len(words) >= 5 and sum(w.strip(".,!") in SENTENCE_WORDS for w in words) >= 2


def without_prefix(text: str) -> str:
    """A name without "Dr.", "Prof.", "Dipl.-Ing." before it."""
    return NAME_PREFIXES.sub("", text).strip()

"""Write fixtures/contrat/02_organisations.json and 03_signataires.json.

Inputs: the avenant's text (signatories, lines 38-78) and the organisation
list transcribed from it (pilots, partners, funders and their aliases), kept
in tools/transcription/data/organisations.json. Run from the project root:

    python tools/transcription/organisations.py [tools/transcription/source/avenant-n2-2019.txt]
"""

import json
import re
import sys
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).resolve().parent / "data" / "organisations.json"
CONTRAT = "contrat-ville-mmm-2015-2022"
SIGNATURE_LINES = (38, 78)  # 1-based, inclusive

SIGNATAIRE = re.compile(
    r"^(?P<designation>.+?), (?P<formule>représentée? par (?:son|sa|le|la) (?P<qualite>.+?)), "
    r"(?P<nom>[^,]+)[,.]$"
)
SIGNATAIRE_SANS_FORMULE = re.compile(r"^(?P<designation>[^,]+), (?P<nom>[^,]+)[,.]$")
ARTICLES = re.compile(r"^(?:le bailleur |la |le |l'|les )", re.IGNORECASE)


def normaliser(texte):
    # Keep in step with contrat.models.normaliser_libelle.
    texte = unicodedata.normalize("NFKD", texte or "")
    texte = "".join(c for c in texte if not unicodedata.combining(c))
    texte = texte.replace("’", "'").replace("‘", "'").replace("–", "-").replace("—", "-")
    texte = re.sub(r"\s+", " ", texte).strip().casefold()
    return texte.strip(" .,;:")


def organisations_fixture(organisations):
    rows, seen = [], {}
    for org in organisations:
        rows.append(
            {
                "model": "contrat.organisation",
                "fields": {
                    "slug": org["slug"],
                    "nom": org["nom"],
                    "sigle": org.get("sigle") or "",
                    "type": org["type"],
                    "rattachement": [org["rattachement"]] if org.get("rattachement") else None,
                },
            }
        )
    for org in organisations:
        libelles = [org["nom"]] + ([org["sigle"]] if org.get("sigle") else [])
        libelles += [a["libelle"] for a in org.get("aliases", [])]
        for libelle in libelles:
            libelle = re.sub(r"\s+", " ", libelle).strip()
            cle = normaliser(libelle)
            if cle in seen:
                if seen[cle] != org["slug"]:
                    raise SystemExit(f"alias {libelle!r} names {seen[cle]} and {org['slug']}")
                continue
            seen[cle] = org["slug"]
            rows.append(
                {
                    "model": "contrat.aliasorganisation",
                    "fields": {"organisation": [org["slug"]], "libelle": libelle},
                }
            )
    return rows, seen


def signataires_fixture(text_lines, alias_index):
    start, end = SIGNATURE_LINES
    rows = []
    lines = [line.strip() for line in text_lines[start - 1 : end] if line.strip()]
    for ordre, line in enumerate(lines, start=1):
        match = SIGNATAIRE.match(line)
        if match:
            qualite = match["qualite"]
        else:
            match = SIGNATAIRE_SANS_FORMULE.match(line)
            if not match:
                raise SystemExit(f"cannot read signatory line {line!r}")
            qualite = match["designation"].removeprefix("Le ").removeprefix("La ")
        designation = match["designation"]
        cle = normaliser(ARTICLES.sub("", designation))
        slug = alias_index.get(cle)
        if slug is None:
            raise SystemExit(f"signatory {designation!r} resolves to no organisation")
        rows.append(
            {
                "model": "contrat.signataire",
                "fields": {
                    "avenant": [CONTRAT, 2],
                    "ordre": ordre,
                    "organisation": [slug],
                    "designation": designation,
                    "representant": match["nom"].strip(),
                    "qualite": qualite,
                    "texte": line,
                },
            }
        )
    if len(rows) != 21:
        raise SystemExit(f"expected 21 signatories, read {len(rows)}")
    return rows


def write(path, rows):
    path.write_text(json.dumps(rows, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def main():
    source = Path(
        sys.argv[1]
        if len(sys.argv) > 1
        else ROOT / "tools/transcription/source/avenant-n2-2019.txt"
    )
    organisations = json.loads(DATA.read_text(encoding="utf-8"))
    org_rows, alias_index = organisations_fixture(organisations)
    text_lines = source.read_text(encoding="utf-8").splitlines()
    sig_rows = signataires_fixture(text_lines, alias_index)
    write(ROOT / "fixtures" / "contrat" / "02_organisations.json", org_rows)
    write(ROOT / "fixtures" / "contrat" / "03_signataires.json", sig_rows)
    print(
        f"{len(organisations)} organisations, {len(org_rows) - len(organisations)} alias, {len(sig_rows)} signataires"
    )


if __name__ == "__main__":
    main()

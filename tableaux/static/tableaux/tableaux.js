/* Dashboard charts: each <figure class="graphique" data-type="..." data-source="...">
 * is filled from the REST API (read anonymously: validated values only),
 * drawn with the vendored Chart.js, and given a data table as its text
 * alternative. No inline script, no request outside this server.
 *
 * When every chart of the page has drawn (or shown its empty or error
 * message), <html> gets data-graphiques="prets": a PDF printer waits for it.
 * An indicator's figure is placed by templates/tableaux/_graphique.html. */
(function () {
  "use strict";

  var COULEURS = ["#004b87", "#b35c00", "#1e7b34", "#8a1c00", "#5b3a8c", "#00707a", "#6b6b00", "#7a2e5a"];
  var TEXTE = "#1b1b1b";
  // A chart never spans more years than this, whatever the data say.
  var ANNEES_MAX = 40;
  var graphiques = [];

  function nombreFr(n) {
    if (n === null || n === undefined || isNaN(n)) return "—";
    return Number(n).toLocaleString("fr-FR", { maximumFractionDigits: 1 });
  }

  function avecUnite(n, symbole) {
    if (n === null || n === undefined || isNaN(n)) return "—";
    return nombreFr(n) + (symbole ? "\u00a0" + symbole : "");
  }

  function charger(url) {
    // credentials "omit": a logged-in user's drafts never reach a public chart.
    return fetch(url, { credentials: "omit", headers: { Accept: "application/json" } }).then(function (r) {
      if (!r.ok) throw new Error("HTTP " + r.status + " pour " + url);
      return r.json();
    }).then(function (donnees) {
      if (donnees && donnees.next && donnees.results) {
        var suite = new URL(donnees.next, window.location.origin);
        return charger(suite.pathname + suite.search).then(function (reste) {
          return { results: donnees.results.concat(reste.results) };
        });
      }
      return donnees;
    });
  }

  function compter(liste, cle) {
    var comptes = new Map();
    liste.forEach(function (x) {
      var k = cle(x);
      comptes.set(k, (comptes.get(k) || 0) + 1);
    });
    return comptes;
  }

  // The years of an indicator's chart: the period the figure names
  // (data-annees, "2019-2022"), stretched to every year that has a value, a
  // target or the baseline, without gaps, so each point sits on its own year.
  function plageAnnees(figure, autres) {
    var annees = autres.filter(function (a) { return Number.isInteger(a); });
    var periode = (figure.dataset.annees || "").split("-").map(Number);
    if (periode.length === 2 && periode[0] && periode[1]) annees.push(periode[0], periode[1]);
    if (figure.dataset.annee) annees.push(Number(figure.dataset.annee));
    if (!annees.length) return [];
    var debut = Math.min.apply(null, annees);
    var fin = Math.min(Math.max.apply(null, annees), debut + ANNEES_MAX - 1);
    var plage = [];
    for (var a = debut; a <= fin; a++) plage.push(a);
    return plage;
  }

  var TYPES = {
    "fiches-par-objectif": function (d) {
      var c = compter(d.results, function (f) { return f.objectif === null ? "Transversales (12.x)" : "Objectif " + f.objectif; });
      var cles = Array.from(c.keys()).sort();
      return { type: "bar", etiquettes: cles, axeValeurs: "Nombre de fiches", entiers: true, series: [{ nom: "Fiches", valeurs: cles.map(function (k) { return c.get(k); }) }] };
    },
    "evolutions-par-sort": function (d) {
      var c = compter(d.results, function (e) { return e.sort_libelle; });
      var cles = Array.from(c.keys());
      return { type: "bar", etiquettes: cles, axeValeurs: "Nombre de fiches de 2015", entiers: true, series: [{ nom: "Lignes du tableau d'évolution", valeurs: cles.map(function (k) { return c.get(k); }) }] };
    },
    "engagements-par-partenaire": function (d) {
      var c = compter(d.results, function (e) { return e.partenaire_libelle; });
      var cles = Array.from(c.keys());
      return { type: "bar", etiquettes: cles, axeValeurs: "Nombre d'engagements", entiers: true, series: [{ nom: "Engagements", valeurs: cles.map(function (k) { return c.get(k); }) }] };
    },
    "completude": function (d) {
      var lignes = d.partenaires.filter(function (p) { return p.dues > 0; });
      return {
        type: "bar", horizontal: true, empile: true, axeValeurs: "Nombre d'indicateurs", entiers: true,
        etiquettes: lignes.map(function (p) { return p.organisation_nom; }),
        series: [
          { nom: "Validés", valeurs: lignes.map(function (p) { return p.validees; }) },
          { nom: "Soumis", valeurs: lignes.map(function (p) { return p.soumises; }) },
          { nom: "Saisis, non soumis", valeurs: lignes.map(function (p) { return p.saisies - p.soumises - p.validees; }) },
          { nom: "Non saisis", valeurs: lignes.map(function (p) { return p.dues - p.saisies; }) }
        ]
      };
    },
    "progression": function (d, figure) {
      var par = figure.dataset.par || "objectif";
      var etiquettes = d.map(function (l) {
        if (l[par] === null) return (par === "objectif" ? "Axes transversaux" : "—") + " (" + l.annee + ")";
        return (par === "objectif" ? "Objectif " : "") + l[par] + " (" + l.annee + ")";
      });
      return {
        type: "bar", etiquettes: etiquettes, max: 100, symbole: "%", axeValeurs: "Avancement moyen vers la cible (%)",
        series: [{ nom: "Avancement moyen vers la cible (%)", valeurs: d.map(function (l) { return l.avancement_moyen; }), etiqueter: true }],
        notes: d.map(function (l) { return l.nb_renseignes + " indicateur(s) renseigné(s) sur " + l.nb_cibles + " avec cible"; })
      };
    },
    "indicateur-annees": function (d, figure) {
      var additive = ["nombre", "euros", "heures", "jours"].indexOf(figure.dataset.unite) >= 0;
      var parAnnee = new Map();
      d.results.forEach(function (v) {
        var a = parAnnee.get(v.annee) || { global: null, somme: 0, n: 0 };
        // Number(): an embedded answer may carry decimals as strings.
        if (v.quartier === null && v.sexe === "") a.global = Number(v.valeur); else { a.somme += Number(v.valeur); a.n += 1; }
        parAnnee.set(v.annee, a);
      });
      // "2021:10;2022:20": each target on its own year, never elsewhere.
      var cibles = new Map();
      (figure.dataset.cibles || "").split(";").forEach(function (c) {
        var p = c.split(":");
        if (p.length === 2 && p[1] !== "") cibles.set(Number(p[0]), Number(p[1]));
      });
      var reference = figure.dataset.reference ? Number(figure.dataset.reference) : null;
      var anneeReference = reference === null ? null : Number(figure.dataset.anneeReference) || null;
      var annees = plageAnnees(figure, Array.from(parAnnee.keys()).concat(Array.from(cibles.keys()), anneeReference ? [anneeReference] : []));
      var ventilees = false;
      var valeurs = annees.map(function (a) {
        var x = parAnnee.get(a);
        if (!x) return null;
        if (x.global !== null) return x.global;
        ventilees = true;
        return x.n ? (additive ? x.somme : x.somme / x.n) : null;
      });
      var series = [{
        nom: "Valeur validée" + (ventilees ? (additive ? " (somme des ventilations)" : " (moyenne des ventilations)") : ""),
        valeurs: valeurs, genre: "valeur", etiqueter: true
      }];
      if (cibles.size) series.push({ nom: "Cible de l'année", valeurs: annees.map(function (a) { return cibles.has(a) ? cibles.get(a) : null; }), genre: "cible" });
      if (reference !== null) {
        series.push({
          nom: "Référence" + (anneeReference ? " (" + anneeReference + ")" : " (année non renseignée)"),
          valeurs: annees.map(function () { return reference; }), genre: "reference",
          marque: annees.indexOf(anneeReference)
        });
      }
      return {
        type: "line", annuel: true, etiquettes: annees.map(String), series: series,
        max: figure.dataset.unite === "pourcentage" ? 100 : undefined,
        sansValeur: valeurs.every(function (v) { return v === null; }),
        symbole: figure.dataset.uniteSymbole || "", axeValeurs: figure.dataset.uniteLibelle || ""
      };
    },
    "repartition": function (d, figure) {
      var par = d.par;
      var noms = {};
      try { noms = JSON.parse(figure.dataset.noms || "{}"); } catch (e) { noms = {}; }
      return {
        type: "bar",
        etiquettes: d.resultats.map(function (r) { return par === "sexe" ? (r.sexe === "F" ? "Femmes" : "Hommes") : (noms[r.quartier] || r.quartier); }),
        max: figure.dataset.unite === "pourcentage" ? 100 : undefined,
        symbole: figure.dataset.uniteSymbole || "", axeValeurs: figure.dataset.uniteLibelle || "",
        series: [{ nom: (d.operation === "somme" ? "Somme" : "Moyenne") + " des valeurs validées " + d.annee, valeurs: d.resultats.map(function (r) { return r.valeur === null ? null : Number(r.valeur); }), etiqueter: true }]
      };
    }
  };

  // Writes each value next to its point or above its bar: a single year is
  // then a labelled mark, not a dot to guess on an axis.
  var ETIQUETTES = {
    id: "etiquettesValeurs",
    afterDatasetsDraw: function (chart, args, options) {
      var ctx = chart.ctx;
      ctx.save();
      ctx.font = "bold 13px system-ui, sans-serif";
      ctx.lineJoin = "round";
      chart.data.datasets.forEach(function (ds, i) {
        if (!ds.etiqueter || !chart.isDatasetVisible(i)) return;
        chart.getDatasetMeta(i).data.forEach(function (element, j) {
          var v = ds.data[j];
          if (v === null || v === undefined) return;
          var texte = avecUnite(v, options.symbole);
          var x = element.x, y = element.y - 4;
          ctx.textAlign = "center";
          ctx.textBaseline = "bottom";
          if (ds.type === "line") {
            // Above the point, or below it when another mark of the same
            // year (the year's target) sits just above.
            var dessus = chart.data.datasets.some(function (autre, k) {
              var voisin = k !== i && chart.isDatasetVisible(k) && chart.getDatasetMeta(k).data[j];
              return voisin && autre.data[j] !== null && voisin.y < element.y && element.y - voisin.y < 30;
            });
            y = dessus ? element.y + 12 : element.y - 12;
            if (dessus) ctx.textBaseline = "top";
          }
          ctx.strokeStyle = "#fff";
          ctx.lineWidth = 4;
          ctx.strokeText(texte, x, y);
          ctx.fillStyle = TEXTE;
          ctx.fillText(texte, x, y);
        });
      });
      ctx.restore();
    }
  };

  function jeuDeDonnees(s, i, donnees) {
    var couleur = COULEURS[i % COULEURS.length];
    var jeu = { label: s.nom, data: s.valeurs, backgroundColor: couleur, borderColor: couleur, etiqueter: !!s.etiqueter && !donnees.horizontal };
    if (s.genre === "valeur") {
      return Object.assign(jeu, { type: "line", borderWidth: 3, pointRadius: 7, pointHoverRadius: 9, spanGaps: true, order: 0 });
    }
    if (s.genre === "cible") {
      // Hollow and drawn over the values: a value next to its target leaves both visible.
      return Object.assign(jeu, { type: "line", borderWidth: 2, borderDash: [6, 4], pointStyle: "rectRot", pointRadius: 8, pointHoverRadius: 10, pointBorderWidth: 2.5, pointBackgroundColor: "rgba(255, 255, 255, 0)", spanGaps: true, order: -1 });
    }
    if (s.genre === "reference") {
      // A horizontal line over every year, marked at its own year.
      var rayons = s.valeurs.map(function (v, j) { return j === s.marque ? 7 : 0; });
      return Object.assign(jeu, { type: "line", borderWidth: 2, borderDash: [2, 3], pointStyle: "triangle", pointRadius: rayons, pointHoverRadius: rayons, order: 2 });
    }
    return jeu;
  }

  function titreAxe(texte) {
    return { display: !!texte, text: texte, color: TEXTE, font: { weight: "bold" } };
  }

  function tableau(figure, donnees) {
    var details = document.createElement("details");
    if (figure.dataset.tableau === "ouvert") details.open = true;
    var resume = document.createElement("summary");
    resume.textContent = "Données du graphique (tableau)";
    details.appendChild(resume);
    var defilement = document.createElement("div");
    defilement.className = "defilement-tableau";
    var table = document.createElement("table");
    var entete = table.createTHead().insertRow();
    var th = document.createElement("th");
    th.scope = "col";
    th.textContent = figure.dataset.axe || "";
    entete.appendChild(th);
    donnees.series.forEach(function (s) {
      var c = document.createElement("th");
      c.scope = "col";
      c.className = "num";
      c.textContent = s.nom;
      entete.appendChild(c);
    });
    var corps = table.createTBody();
    donnees.etiquettes.forEach(function (etiquette, i) {
      var ligne = corps.insertRow();
      var t = document.createElement("th");
      t.scope = "row";
      t.textContent = etiquette;
      ligne.appendChild(t);
      donnees.series.forEach(function (s) {
        var td = ligne.insertCell();
        td.className = "num";
        td.textContent = avecUnite(s.valeurs[i], donnees.symbole);
      });
    });
    defilement.appendChild(table);
    details.appendChild(defilement);
    if (donnees.axeValeurs && donnees.annuel) {
      var unite = document.createElement("p");
      unite.className = "muted";
      unite.textContent = "Unité : " + donnees.axeValeurs + ".";
      details.appendChild(unite);
    }
    figure.appendChild(details);
  }

  function dessiner(figure, donnees) {
    var sansValeur = donnees.series.every(function (s) { return s.valeurs.every(function (v) { return v === null || v === undefined; }); });
    if (!donnees.etiquettes.length || sansValeur) {
      donnees.etiquettes = [];
      var vide = document.createElement("p");
      vide.className = "missing";
      vide.textContent = figure.dataset.vide || "Aucune donnée validée pour le moment.";
      figure.appendChild(vide);
      figure.dataset.etat = "vide";
      return;
    }
    if (donnees.sansValeur) {
      var note = document.createElement("p");
      note.className = "missing";
      note.textContent = "Aucune valeur validée pour le moment : le graphique ne montre que la cible et la référence.";
      figure.appendChild(note);
    }
    var canvas = document.createElement("canvas");
    canvas.setAttribute("role", "img");
    var resume = donnees.series.map(function (s) {
      return s.nom + " : " + donnees.etiquettes.map(function (e, i) { return e + " " + avecUnite(s.valeurs[i], donnees.symbole); }).join(", ");
    }).join(". ");
    canvas.setAttribute("aria-label", (figure.querySelector("figcaption") || {}).textContent + ". " + resume);
    var cadre = document.createElement("div");
    cadre.className = "cadre-graphique";
    cadre.appendChild(canvas);
    figure.appendChild(cadre);
    var axeCategories = {
      type: "category", offset: true, stacked: !!donnees.empile, title: titreAxe(figure.dataset.axe),
      // A long name is shortened on the axis of a narrow chart (whole in the
      // tooltip and the data table), so the plot keeps its room on a phone.
      ticks: {
        color: TEXTE,
        callback: function (valeur) {
          var texte = String(this.getLabelForValue(valeur));
          var max = Math.max(10, Math.round(this.chart.width / (donnees.horizontal ? 24 : 20)));
          return texte.length > max ? texte.slice(0, max - 1).trimEnd() + "…" : texte;
        }
      }
    };
    var axeValeurs = {
      type: "linear", stacked: !!donnees.empile, beginAtZero: true, max: donnees.max, grace: "10%",
      ticks: { color: TEXTE, precision: donnees.entiers ? 0 : undefined, callback: function (v) { return nombreFr(v); } },
      title: titreAxe(donnees.axeValeurs)
    };
    /* global Chart */
    var graphique = new Chart(canvas, {
      type: donnees.type,
      data: { labels: donnees.etiquettes, datasets: donnees.series.map(function (s, i) { return jeuDeDonnees(s, i, donnees); }) },
      plugins: [ETIQUETTES],
      options: {
        // No animation: the chart is complete as soon as it is built, on
        // screen as in print.
        animation: false, responsive: true, maintainAspectRatio: false,
        // Sharp in a PDF, whatever the screen.
        devicePixelRatio: Math.max(window.devicePixelRatio || 1, 2),
        indexAxis: donnees.horizontal ? "y" : "x",
        layout: { padding: { top: 8, right: 8 } },
        scales: donnees.horizontal ? { y: axeCategories, x: axeValeurs } : { x: axeCategories, y: axeValeurs },
        plugins: {
          legend: { labels: { color: TEXTE, usePointStyle: !!donnees.annuel, sort: function (a, b) { return a.datasetIndex - b.datasetIndex; } } },
          etiquettesValeurs: { symbole: donnees.symbole },
          tooltip: {
            callbacks: {
              label: function (c) { return c.dataset.label + " : " + avecUnite(c.raw, donnees.symbole); }
            }
          }
        }
      }
    });
    graphiques.push(graphique);
    figure.dataset.etat = "dessine";
  }

  // The API's answer, or the same answer embedded in the figure as a JSON
  // block (a page printed without a server to ask: the annual report's PDF).
  function lire(figure) {
    var embarquees = figure.querySelector('script[type="application/json"]');
    if (embarquees) {
      return new Promise(function (resoudre) { resoudre(JSON.parse(embarquees.textContent)); });
    }
    return charger(figure.dataset.source);
  }

  function remplir(figure) {
    var type = TYPES[figure.dataset.type];
    if (!type) return Promise.resolve();
    return lire(figure).then(function (d) {
      var donnees = type(d, figure);
      dessiner(figure, donnees);
      if (donnees.etiquettes.length) tableau(figure, donnees);
    }).catch(function (erreur) {
      var p = document.createElement("p");
      p.className = "erreur";
      p.textContent = "Le graphique n'a pas pu être chargé (" + erreur.message + ").";
      figure.appendChild(p);
      figure.dataset.etat = "erreur";
    });
  }

  function signalerPrets() {
    document.documentElement.dataset.graphiques = "prets";
    // Older readers wait on <body>.
    document.body.dataset.graphiques = "prets";
  }

  // Printing: the data tables open, the charts redrawn at the paper's width.
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("figure.graphique details").forEach(function (d) { d.open = true; });
    graphiques.forEach(function (g) { g.resize(); });
  });

  document.addEventListener("DOMContentLoaded", function () {
    var figures = Array.prototype.slice.call(document.querySelectorAll("figure.graphique"));
    Promise.all(figures.map(remplir)).then(signalerPrets);
  });
})();

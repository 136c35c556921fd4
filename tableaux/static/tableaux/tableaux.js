/* Dashboard charts: each <figure class="graphique" data-type="..." data-source="...">
 * is filled from the REST API (read anonymously: validated values only),
 * drawn with the vendored Chart.js, and given a data table as its text
 * alternative. No inline script, no request outside this server. */
(function () {
  "use strict";

  var COULEURS = ["#004b87", "#b35c00", "#1e7b34", "#8a1c00", "#5b3a8c", "#00707a", "#6b6b00", "#7a2e5a"];

  function nombreFr(n) {
    if (n === null || n === undefined || isNaN(n)) return "—";
    return Number(n).toLocaleString("fr-FR", { maximumFractionDigits: 1 });
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

  var TYPES = {
    "fiches-par-objectif": function (d) {
      var c = compter(d.results, function (f) { return f.objectif === null ? "Transversales (12.x)" : "Objectif " + f.objectif; });
      var cles = Array.from(c.keys()).sort();
      return { type: "bar", etiquettes: cles, series: [{ nom: "Fiches", valeurs: cles.map(function (k) { return c.get(k); }) }] };
    },
    "evolutions-par-sort": function (d) {
      var c = compter(d.results, function (e) { return e.sort_libelle; });
      var cles = Array.from(c.keys());
      return { type: "bar", etiquettes: cles, series: [{ nom: "Lignes du tableau d'évolution", valeurs: cles.map(function (k) { return c.get(k); }) }] };
    },
    "engagements-par-partenaire": function (d) {
      var c = compter(d.results, function (e) { return e.partenaire_libelle; });
      var cles = Array.from(c.keys());
      return { type: "bar", etiquettes: cles, series: [{ nom: "Engagements", valeurs: cles.map(function (k) { return c.get(k); }) }] };
    },
    "completude": function (d) {
      var lignes = d.partenaires.filter(function (p) { return p.dues > 0; });
      return {
        type: "bar", horizontal: true, empile: true,
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
        type: "bar", etiquettes: etiquettes, max: 100, unite: "%",
        series: [{ nom: "Avancement moyen vers la cible (%)", valeurs: d.map(function (l) { return l.avancement_moyen; }) }],
        notes: d.map(function (l) { return l.nb_renseignes + " indicateur(s) renseigné(s) sur " + l.nb_cibles + " avec cible"; })
      };
    },
    "indicateur-annees": function (d, figure) {
      var additive = ["nombre", "euros", "heures", "jours"].indexOf(figure.dataset.unite) >= 0;
      var parAnnee = new Map();
      d.results.forEach(function (v) {
        var a = parAnnee.get(v.annee) || { global: null, somme: 0, n: 0 };
        if (v.quartier === null && v.sexe === "") a.global = v.valeur; else { a.somme += v.valeur; a.n += 1; }
        parAnnee.set(v.annee, a);
      });
      var annees = Array.from(parAnnee.keys()).sort();
      var valeurs = annees.map(function (a) {
        var x = parAnnee.get(a);
        if (x.global !== null) return x.global;
        return x.n ? (additive ? x.somme : x.somme / x.n) : null;
      });
      var series = [{ nom: "Valeur validée", valeurs: valeurs }];
      if (figure.dataset.reference) series.push({ nom: "Référence", valeurs: annees.map(function () { return Number(figure.dataset.reference); }), ligne: true });
      if (figure.dataset.cibles) {
        // "2021:10;2022:20": each year against its own year's target only.
        var cibles = new Map(figure.dataset.cibles.split(";").map(function (c) { var p = c.split(":"); return [Number(p[0]), Number(p[1])]; }));
        series.push({ nom: "Cible de l'année", valeurs: annees.map(function (a) { return cibles.has(a) ? cibles.get(a) : null; }), ligne: true });
      }
      return { type: "line", etiquettes: annees.map(String), series: series };
    },
    "repartition": function (d) {
      var par = d.par;
      return {
        type: "bar",
        etiquettes: d.resultats.map(function (r) { return par === "sexe" ? (r.sexe === "F" ? "Femmes" : "Hommes") : r.quartier; }),
        series: [{ nom: (d.operation === "somme" ? "Somme" : "Moyenne") + " des valeurs validées " + d.annee, valeurs: d.resultats.map(function (r) { return r.valeur; }) }]
      };
    }
  };

  function tableau(figure, donnees) {
    var details = document.createElement("details");
    var resume = document.createElement("summary");
    resume.textContent = "Données du graphique (tableau)";
    details.appendChild(resume);
    var table = document.createElement("table");
    var entete = table.createTHead().insertRow();
    var th = document.createElement("th");
    th.scope = "col";
    th.textContent = figure.dataset.axe || "";
    entete.appendChild(th);
    donnees.series.forEach(function (s) {
      var c = document.createElement("th");
      c.scope = "col";
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
        td.textContent = nombreFr(s.valeurs[i]) + (donnees.unite && s.valeurs[i] !== null ? " " + donnees.unite : "");
      });
    });
    details.appendChild(table);
    figure.appendChild(details);
  }

  function dessiner(figure, donnees) {
    var sansValeur = donnees.series.every(function (s) { return s.valeurs.every(function (v) { return v === null; }); });
    if (!donnees.etiquettes.length || sansValeur) {
      donnees.etiquettes = [];
      var vide = document.createElement("p");
      vide.className = "missing";
      vide.textContent = figure.dataset.vide || "Aucune donnée validée pour le moment.";
      figure.appendChild(vide);
      figure.dataset.etat = "vide";
      return;
    }
    var canvas = document.createElement("canvas");
    canvas.setAttribute("role", "img");
    var resume = donnees.series.map(function (s) {
      return s.nom + " : " + donnees.etiquettes.map(function (e, i) { return e + " " + nombreFr(s.valeurs[i]); }).join(", ");
    }).join(". ");
    canvas.setAttribute("aria-label", (figure.querySelector("figcaption") || {}).textContent + ". " + resume);
    var cadre = document.createElement("div");
    cadre.className = "cadre-graphique";
    cadre.appendChild(canvas);
    figure.appendChild(cadre);
    /* global Chart */
    new Chart(canvas, {
      type: donnees.type,
      data: {
        labels: donnees.etiquettes,
        datasets: donnees.series.map(function (s, i) {
          return {
            label: s.nom, data: s.valeurs,
            backgroundColor: COULEURS[i % COULEURS.length], borderColor: COULEURS[i % COULEURS.length],
            borderDash: s.ligne ? [6, 4] : undefined, fill: false, type: s.ligne ? "line" : undefined
          };
        })
      },
      options: {
        animation: false, responsive: true, maintainAspectRatio: false, indexAxis: donnees.horizontal ? "y" : "x",
        scales: {
          x: { stacked: !!donnees.empile, ticks: { color: "#1b1b1b" } },
          y: { stacked: !!donnees.empile, beginAtZero: true, max: donnees.max, ticks: { color: "#1b1b1b" } }
        },
        plugins: { legend: { labels: { color: "#1b1b1b" } } }
      }
    });
    figure.dataset.etat = "dessine";
  }

  function remplir(figure) {
    var type = TYPES[figure.dataset.type];
    if (!type) return Promise.resolve();
    return charger(figure.dataset.source).then(function (d) {
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

  document.addEventListener("DOMContentLoaded", function () {
    var figures = Array.prototype.slice.call(document.querySelectorAll("figure.graphique"));
    Promise.all(figures.map(remplir)).then(function () {
      document.body.dataset.graphiques = "prets";
    });
  });
})();

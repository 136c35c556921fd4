// Live totals of a value grid (units that add up): the server computes the
// same totals on display; this only keeps them current while typing.
(function () {
  "use strict";
  var form = document.querySelector("form.grille[data-totaux]");
  if (!form) return;
  var format = new Intl.NumberFormat("fr-FR", { maximumFractionDigits: 2 });
  function lire(texte) {
    var t = (texte || "").replace(/[\s\u00a0\u202f]/g, "").replace(",", ".");
    if (t === "" || !/^-?\d+(\.\d+)?$/.test(t)) return 0;
    return parseFloat(t);
  }
  function recalculer() {
    var lignes = {}, colonnes = {}, general = 0;
    form.querySelectorAll("td[data-ligne] input[type=text]").forEach(function (champ) {
      var td = champ.closest("td"), v = lire(champ.value);
      lignes[td.dataset.ligne] = (lignes[td.dataset.ligne] || 0) + v;
      colonnes[td.dataset.colonne] = (colonnes[td.dataset.colonne] || 0) + v;
      general += v;
    });
    form.querySelectorAll("[data-total-ligne]").forEach(function (el) {
      el.textContent = format.format(lignes[el.dataset.totalLigne] || 0);
    });
    form.querySelectorAll("[data-total-colonne]").forEach(function (el) {
      el.textContent = format.format(colonnes[el.dataset.totalColonne] || 0);
    });
    form.querySelectorAll("[data-total-general]").forEach(function (el) {
      el.textContent = format.format(general);
    });
  }
  form.addEventListener("input", recalculer);
})();

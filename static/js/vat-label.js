// The VAT number's label follows the billing country ("USt-IdNr." for Germany, "TVA intracommunautaire"
// for France): the names come from the field's data-vat-labels, set by the server (portal.core.vat_numbers).
(function () {
  "use strict";
  var input = document.querySelector("[data-vat-labels]");
  var country = document.getElementById("id_billing_country");
  if (!input || !country) return;
  var label = document.querySelector('label[for="' + input.id + '"]');
  var names = JSON.parse(input.getAttribute("data-vat-labels"));
  function update() {
    var name = names[country.value];
    label.textContent = name ? "VAT number (" + name + ")" : "VAT number";
  }
  country.addEventListener("change", update);
  update();
})();

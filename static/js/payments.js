/* The pay page: Stripe.js turns the card into a token in the browser (the card never reaches our
 * server), we post the token; if the bank asks for 3-D Secure, Stripe.js runs it and we go to the
 * return page, which shows what our ledger says. Configuration comes from data- attributes. */
(function () {
  "use strict";

  function showError(text) {
    var box = document.getElementById("card-errors");
    if (!box) { return; }
    box.textContent = text;
    box.hidden = !text;
  }

  if (typeof window.Stripe !== "function") {
    showError("The payment service could not be loaded. Please try again in a few minutes.");
    return;
  }

  var form = document.getElementById("card-form");
  if (form) {
    var stripe = window.Stripe(form.dataset.stripeKey);
    var card = stripe.elements().create("card");
    card.mount("#card-element");
    var button = form.querySelector("button[type=submit]");
    var busy = false;
    form.addEventListener("submit", function (event) {
      if (form.elements.token.value) { return; }
      event.preventDefault();
      if (busy) { return; }
      busy = true;
      button.disabled = true;
      showError("");
      stripe.createToken(card).then(function (result) {
        if (result.error || !result.token) {
          showError((result.error && result.error.message) || "Check your card details.");
          busy = false;
          button.disabled = false;
          return;
        }
        form.elements.token.value = result.token.id;
        form.submit();
      });
    });
  }

  var auth = document.getElementById("card-authentication");
  if (auth && auth.dataset.clientSecret) {
    var stripeAuth = window.Stripe(auth.dataset.stripeKey);
    stripeAuth.confirmCardPayment(auth.dataset.clientSecret).then(function () {
      // Whatever the browser was told, the return page asks our server, which asks Stripe.
      window.location.assign(auth.dataset.returnUrl);
    });
  }
})();

// The pay page (billing/panel/order_pay.html): Stripe.js collects the card, BLIK code or bank
// and confirms the payment; the webhook records it. A file, not an inline script: the
// Content-Security-Policy allows no inline script.
(function () {
  "use strict";
  var form = document.getElementById("payment-form");
  if (!form || typeof Stripe === "undefined") {
    return;
  }
  var stripe = Stripe(form.dataset.key);
  var elements = stripe.elements({clientSecret: form.dataset.clientSecret, locale: "pl"});
  elements.create("payment").mount("#payment-element");
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    stripe.confirmPayment({elements: elements, confirmParams: {return_url: form.dataset.returnUrl}});
  });
})();

/* The purchase-ledger phone form: fill a line from the product picked or the barcode typed or
 * scanned. Progressive enhancement: without this script the form still works (a typed GTIN is
 * looked up by the server); the camera scan appears only where the browser has the
 * BarcodeDetector API (Chrome on Android; not Safari or Firefox at the time of writing). */
(function () {
  "use strict";
  var form = document.getElementById("ledger-form");
  if (!form) return;
  var dataNode = document.getElementById("product-data");
  var products = dataNode ? JSON.parse(dataNode.textContent || "{}") : {};
  var field = function (name) { return form.elements.namedItem(name); };
  var status = document.getElementById("gtin-status");

  function fill(p) {
    if (!p) return;
    field("product_id").value = String(p.id);
    field("product_name").value = p.name;
    field("category").value = p.category;
    field("specification").value = p.specification;
    if (p.gtin) field("gtin").value = p.gtin;
    // The shelf life and producer belong to the product picked: replace what another left.
    field("shelf_life_days").value = p.shelf_life_days || "";
    field("producer_name").value = p.producer_name || "";
  }

  field("product_id").addEventListener("change", function (e) {
    fill(products[e.target.value]);
  });

  function lookup(code) {
    if (!code) return;
    status.textContent = status.dataset.searching;
    fetch("/biz/ledger/products/lookup?gtin=" + encodeURIComponent(code), { credentials: "same-origin" })
      .then(function (r) { return r.json().then(function (body) { return { ok: r.ok, status: r.status, body: body }; }); })
      .then(function (res) {
        if (res.ok) { fill(res.body); status.textContent = status.dataset.found + " " + res.body.name; }
        else if (res.status === 404) { status.textContent = status.dataset.missing; }
        else { status.textContent = res.body.error || status.dataset.missing; }
      })
      .catch(function () { status.textContent = ""; });
  }

  document.getElementById("gtin-find").addEventListener("click", function () {
    lookup(field("gtin").value.trim());
  });

  var scan = document.getElementById("gtin-scan");
  if (!("BarcodeDetector" in window) || !navigator.mediaDevices) return;
  scan.hidden = false;
  var video = document.getElementById("gtin-video");
  scan.addEventListener("click", function () {
    var detector = new window.BarcodeDetector({ formats: ["ean_13", "ean_8", "upc_a", "upc_e", "itf"] });
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then(function (stream) {
      video.hidden = false;
      video.srcObject = stream;
      video.play();
      var stop = function () { stream.getTracks().forEach(function (t) { t.stop(); }); video.hidden = true; };
      var tick = function () {
        detector.detect(video).then(function (codes) {
          if (codes.length) { stop(); field("gtin").value = codes[0].rawValue; lookup(codes[0].rawValue); }
          else if (!video.hidden) { window.requestAnimationFrame(tick); }
        }).catch(stop);
      };
      tick();
    }).catch(function () { status.textContent = status.dataset.nocamera; });
  });
})();

/* The check-in desk: scan QR codes with the device's camera, and keep scans made offline.
 *
 * The page works without this file (type the code or use a scanner that types). With it, a camera
 * button appears where the browser offers getUserMedia; each decoded code is posted to the same
 * address as the typed form, and the answer's message replaces the one on the page, so the camera
 * keeps running between attendees. Codes come from BarcodeDetector where the browser has one, else
 * from the vendored jsQR (static/vendor/jsqr/). A scan the network could not carry is kept in
 * IndexedDB as provisional, listed as such, and sent again when the browser is back online; the
 * server's answer then says whether the ticket had been admitted meanwhile (another door). */
(function () {
  "use strict";

  var root = document.querySelector("[data-checkin]");
  if (!root) { return; }
  var form = document.getElementById("checkin-form");
  var input = document.getElementById("checkin-code");
  var slot = document.getElementById("checkin-result-slot");
  var counts = document.querySelector("[data-checkin-counts]");
  var startButton = document.getElementById("checkin-camera-start");
  var stopButton = document.getElementById("checkin-camera-stop");
  var video = document.getElementById("checkin-video");
  var cameraStatus = document.getElementById("checkin-camera-status");
  var pendingList = document.getElementById("checkin-provisional");
  var pendingSection = document.getElementById("checkin-provisional-section");

  function show(kind, message) {
    var box = document.createElement("div");
    box.className = "message message--" + kind;
    box.setAttribute("role", kind === "success" ? "status" : "alert");
    box.setAttribute("data-checkin-result", kind);
    box.textContent = message;
    slot.replaceChildren(box);
  }

  /* --- Sending a code: the typed form's own endpoint, read back from its HTML answer --- */

  function send(code) {
    var data = new FormData(form);
    data.set("code", code);
    return fetch(form.action, { method: "POST", body: data, credentials: "same-origin" }).then(function (response) {
      return response.text().then(function (html) {
        var page = new DOMParser().parseFromString(html, "text/html");
        var result = page.querySelector("[data-checkin-result]");
        var newCounts = page.querySelector("[data-checkin-counts]");
        if (newCounts && counts) { counts.textContent = newCounts.textContent; }
        if (!result) {
          return { kind: "error", message: "The server answered " + response.status + ": sign in again and retry." };
        }
        return { kind: result.getAttribute("data-checkin-result"), message: result.textContent.trim() };
      });
    });
  }

  /* --- Provisional scans, kept in IndexedDB while the network is down --- */

  var DB_NAME = "guildhall-checkin";
  var STORE = "provisional";

  function openDb() {
    return new Promise(function (resolve, reject) {
      if (!window.indexedDB) { reject(new Error("no IndexedDB")); return; }
      var request = window.indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = function () {
        request.result.createObjectStore(STORE, { keyPath: "id", autoIncrement: true });
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function withStore(mode, work) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var transaction = db.transaction(STORE, mode);
        var result = work(transaction.objectStore(STORE));
        transaction.oncomplete = function () { resolve(result && result.result); };
        transaction.onerror = function () { reject(transaction.error); };
      });
    });
  }

  function provisionalScans() {
    return withStore("readonly", function (store) { return store.getAll(); }).then(function (all) {
      return (all || []).filter(function (scan) { return scan.event === root.dataset.event; });
    });
  }

  function keepProvisional(code) {
    var scan = { event: root.dataset.event, code: code, scannedAt: new Date().toISOString() };
    return withStore("readwrite", function (store) { return store.add(scan); }).then(renderProvisional);
  }

  function forget(id) {
    return withStore("readwrite", function (store) { return store.delete(id); });
  }

  function renderProvisional() {
    if (!pendingList) { return Promise.resolve(); }
    return provisionalScans().then(function (scans) {
      pendingList.replaceChildren();
      scans.forEach(function (scan) {
        var item = document.createElement("li");
        item.textContent = scan.code + " · scanned " + new Date(scan.scannedAt).toLocaleTimeString() + " · provisional";
        pendingList.appendChild(item);
      });
      pendingSection.hidden = scans.length === 0;
    }).catch(function () {});
  }

  var reconciling = false;
  function reconcile() {
    if (reconciling || !navigator.onLine) { return; }
    reconciling = true;
    provisionalScans().then(function (scans) {
      return scans.reduce(function (previous, scan) {
        return previous.then(function () {
          return send(scan.code).then(function (answer) {
            var when = new Date(scan.scannedAt).toLocaleTimeString();
            if (answer.kind === "warning") {
              // Admitted meanwhile: the same ticket went through another door, or twice here.
              show("warning", "Scanned offline at " + when + ": " + answer.message + " Tell the door lead: this ticket was scanned twice.");
            } else {
              show(answer.kind, "Scanned offline at " + when + ": " + answer.message);
            }
            return forget(scan.id);
          });
        });
      }, Promise.resolve());
    }).catch(function () {}).then(function () {
      reconciling = false;
      renderProvisional();
    });
  }

  function submitCode(code) {
    if (!navigator.onLine) {
      show("warning", "Offline: " + code + " is kept as a provisional check-in and sent when the network is back.");
      return keepProvisional(code);
    }
    return send(code).then(function (answer) { show(answer.kind, answer.message); }).catch(function () {
      show("warning", "The network failed: " + code + " is kept as a provisional check-in.");
      return keepProvisional(code);
    });
  }

  // Typed codes go by the ordinary form (a full page) unless the browser knows it is offline.
  form.addEventListener("submit", function (event) {
    if (navigator.onLine) { return; }
    event.preventDefault();
    var code = input.value.trim();
    if (code) { submitCode(code); input.value = ""; }
  });
  window.addEventListener("online", reconcile);
  renderProvisional().then(reconcile);

  /* --- The camera --- */

  if (!startButton || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) { return; }
  startButton.hidden = false;
  var stream = null;
  var detector = null;
  var canvas = document.createElement("canvas");
  var context = canvas.getContext("2d", { willReadFrequently: true });
  var lastCode = "";
  var lastAt = 0;
  var busy = false;

  if ("BarcodeDetector" in window) {
    try { detector = new window.BarcodeDetector({ formats: ["qr_code"] }); } catch (error) { detector = null; }
  }

  function decode() {
    if (detector) {
      return detector.detect(video).then(function (codes) { return codes.length ? codes[0].rawValue : ""; });
    }
    var width = video.videoWidth;
    var height = video.videoHeight;
    if (!width || !height || typeof window.jsQR !== "function") { return Promise.resolve(""); }
    canvas.width = width;
    canvas.height = height;
    context.drawImage(video, 0, 0, width, height);
    var found = window.jsQR(context.getImageData(0, 0, width, height).data, width, height, { inversionAttempts: "dontInvert" });
    return Promise.resolve(found ? found.data : "");
  }

  function tick() {
    if (!stream) { return; }
    if (busy || video.readyState < 2) { window.setTimeout(tick, 150); return; }
    busy = true;
    decode().then(function (code) {
      code = (code || "").trim();
      var now = Date.now();
      // The same badge stays in front of the camera for a while: one submission per 4 seconds.
      if (code && !(code === lastCode && now - lastAt < 4000)) {
        lastCode = code;
        lastAt = now;
        return submitCode(code);
      }
    }).catch(function () {}).then(function () {
      busy = false;
      window.setTimeout(tick, 150);
    });
  }

  function stop() {
    if (stream) { stream.getTracks().forEach(function (track) { track.stop(); }); }
    stream = null;
    video.hidden = true;
    stopButton.hidden = true;
    startButton.hidden = false;
    cameraStatus.textContent = "Camera off.";
  }

  startButton.addEventListener("click", function () {
    cameraStatus.textContent = "Starting the camera…";
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false }).then(function (media) {
      stream = media;
      video.srcObject = media;
      video.hidden = false;
      startButton.hidden = true;
      stopButton.hidden = false;
      cameraStatus.textContent = "Camera on: hold a ticket's QR code in front of it.";
      return video.play();
    }).then(tick).catch(function (error) {
      stop();
      cameraStatus.textContent = "The camera could not be started (" + error.name + "): type the code instead.";
    });
  });
  stopButton.addEventListener("click", stop);
})();

// Sunshine Kitchen (明厨亮灶) pages: live pictures, the camera wall, the HLS player, the LED
// screen of a street, and the polygon editor of the camera form. No inline scripts (CSP).
(function () {
  "use strict";

  // -- wall tiles: refresh latest.jpg one tile after another --------------------------------
  // Browsers allow six HTTP/1.1 connections per host: a wall of MJPEG streams would stall,
  // so each tile asks for the latest picture again once its previous one has arrived.
  function refreshTile(img, every) {
    var base = img.getAttribute("data-live-src");
    function next(delay) {
      window.setTimeout(function () {
        if (document.hidden) { next(every); return; }
        img.src = base + "?t=" + Date.now();
      }, delay);
    }
    img.addEventListener("load", function () {
      img.closest(".kitchen-tile").setAttribute("data-live", "yes");
      next(every);
    });
    img.addEventListener("error", function () {
      img.closest(".kitchen-tile").setAttribute("data-live", "no");
      next(every * 4);
    });
    if (img.getAttribute("data-has-picture") === "yes") {
      img.src = base + "?t=" + Date.now();
    } else {
      next(every * 2);
    }
  }

  // -- one camera's MJPEG stream (detail pages, the wall's overlay) -------------------------
  function startMjpeg(img) {
    var src = img.getAttribute("data-mjpeg-src");
    img.addEventListener("error", function () {
      img.setAttribute("data-state", "error");
      window.setTimeout(function () { img.src = src + "?t=" + Date.now(); }, 5000);
    });
    img.addEventListener("load", function () { img.setAttribute("data-state", "playing"); });
    img.src = src;
  }

  function wallOverlay() {
    var overlay = document.getElementById("kitchen-overlay");
    if (!overlay) { return; }
    var img = overlay.querySelector("img");
    var caption = overlay.querySelector(".kitchen-overlay-caption");
    var link = overlay.querySelector("a.kitchen-overlay-link");
    function close() {
      img.removeAttribute("src");  // ends the stream
      overlay.hidden = true;
    }
    document.querySelectorAll(".kitchen-tile[data-mjpeg]").forEach(function (tile) {
      tile.addEventListener("click", function (event) {
        event.preventDefault();
        caption.textContent = tile.getAttribute("data-caption") || "";
        link.href = tile.getAttribute("data-detail") || "#";
        img.src = tile.getAttribute("data-mjpeg");
        overlay.hidden = false;
      });
    });
    overlay.querySelector(".kitchen-overlay-close").addEventListener("click", close);
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && !overlay.hidden) { close(); }
    });
  }

  // -- HLS: native where the browser plays it, else the vendored hls.js ---------------------
  function startHls(video) {
    var url = video.getAttribute("data-hls");
    if (video.getAttribute("data-started") === "yes") { return; }
    video.setAttribute("data-started", "yes");
    video.muted = true;  // autoplay needs it
    video.addEventListener("loadedmetadata", function () {
      video.setAttribute("data-state", "loaded");
      var playing = video.play();
      if (playing && playing.catch) { playing.catch(function () { return null; }); }
    });
    if (video.canPlayType("application/vnd.apple.mpegurl")) {
      video.setAttribute("data-player", "native");
      video.src = url;
      return;
    }
    if (window.Hls && window.Hls.isSupported()) {
      video.setAttribute("data-player", "hls.js");
      var hls = new window.Hls({ enableWorker: false, liveSyncDurationCount: 2 });
      hls.on(window.Hls.Events.MANIFEST_PARSED, function () {
        video.setAttribute("data-manifest", "parsed");
      });
      hls.on(window.Hls.Events.ERROR, function (_event, data) {
        if (data && data.fatal) {
          video.setAttribute("data-state", "error");
          hls.destroy();
          video.setAttribute("data-started", "no");
          window.setTimeout(function () { startHls(video); }, 10000);
        }
      });
      hls.loadSource(url);
      hls.attachMedia(video);
      video.kitchenHls = hls;
      return;
    }
    video.setAttribute("data-state", "unsupported");
  }

  function stopHls(video) {
    if (video.kitchenHls) { video.kitchenHls.destroy(); video.kitchenHls = null; }
    video.removeAttribute("src");
    video.load();
    video.setAttribute("data-started", "no");
  }

  // -- the LED screen of a street: one store after another ----------------------------------
  function screen(root) {
    var slides = Array.prototype.slice.call(root.querySelectorAll(".screen-store"));
    var seconds = Math.max(5, parseInt(root.getAttribute("data-seconds"), 10) || 20);
    var clock = root.querySelector(".screen-clock");
    var loadedAt = Date.now();
    var index = -1;
    function show(next) {
      slides.forEach(function (slide, n) {
        var active = n === next;
        slide.hidden = !active;
        slide.querySelectorAll("video[data-hls]").forEach(function (video) {
          if (active) { startHls(video); } else { stopHls(video); }
        });
      });
      index = next;
      root.setAttribute("data-current", String(next));
    }
    function tick() {
      if (!slides.length) { return; }
      var next = (index + 1) % slides.length;
      // A screen runs for days: after a full round past half an hour, reload to pick up
      // stores that published (or withdrew) cameras since.
      if (next === 0 && index !== -1 && Date.now() - loadedAt > 30 * 60 * 1000) {
        window.location.reload();
        return;
      }
      show(next);
    }
    function time() {
      if (clock) {
        var now = new Date();
        clock.textContent = now.toLocaleString(document.documentElement.lang || "zh-CN");
      }
    }
    tick();
    time();
    window.setInterval(tick, seconds * 1000);
    window.setInterval(time, 1000);
  }

  // -- the polygon editor of the camera form --------------------------------------------------
  // Points are clicked over the camera's latest picture and kept as fractions of it (0..1),
  // as the camera's settings store them; the JSON field stays editable by hand.
  function polygonEditor(root) {
    var canvas = root.querySelector("canvas");
    var field = document.getElementById(root.getAttribute("data-field"));
    var zones = root.getAttribute("data-kind") === "zones";
    var nameInput = root.querySelector(".polygon-name");
    var image = root.querySelector("img");
    var current = [];
    var ctx = canvas.getContext("2d");

    function read() {
      try {
        var value = JSON.parse(field.value || "[]");
        return Array.isArray(value) ? value : [];
      } catch (e) {
        return null;
      }
    }
    function polygons() {
      var value = read() || [];
      return value.map(function (item) { return zones ? (item && item.polygon) || [] : item; });
    }
    function draw() {
      var w = canvas.width, h = canvas.height;
      ctx.clearRect(0, 0, w, h);
      if (image && image.complete && image.naturalWidth) { ctx.drawImage(image, 0, 0, w, h); }
      else { ctx.fillStyle = "#333"; ctx.fillRect(0, 0, w, h); }
      function path(points, closed, colour) {
        if (!points.length) { return; }
        ctx.beginPath();
        points.forEach(function (p, n) {
          var x = p[0] * w, y = p[1] * h;
          if (n === 0) { ctx.moveTo(x, y); } else { ctx.lineTo(x, y); }
        });
        if (closed) { ctx.closePath(); ctx.fillStyle = colour + "55"; ctx.fill(); }
        ctx.strokeStyle = colour; ctx.lineWidth = 2; ctx.stroke();
        points.forEach(function (p) {
          ctx.fillStyle = colour; ctx.fillRect(p[0] * w - 3, p[1] * h - 3, 6, 6);
        });
      }
      polygons().forEach(function (points) { path(points, true, zones ? "#0d6efd" : "#dc3545"); });
      path(current, false, "#ffc107");
      root.setAttribute("data-points", String(current.length));
    }
    function round(v) { return Math.round(Math.min(1, Math.max(0, v)) * 1000) / 1000; }
    canvas.addEventListener("click", function (event) {
      var rect = canvas.getBoundingClientRect();
      current.push([round((event.clientX - rect.left) / rect.width),
                    round((event.clientY - rect.top) / rect.height)]);
      draw();
    });
    root.querySelector(".polygon-finish").addEventListener("click", function () {
      var value = read();
      if (value === null || current.length < 3) { return; }
      if (zones) {
        var name = (nameInput && nameInput.value.trim()) || ("zone " + (value.length + 1));
        value.push({ name: name, polygon: current });
        if (nameInput) { nameInput.value = ""; }
      } else {
        value.push(current);
      }
      field.value = JSON.stringify(value);
      current = [];
      draw();
    });
    root.querySelector(".polygon-undo").addEventListener("click", function () {
      current.pop();
      draw();
    });
    root.querySelector(".polygon-clear").addEventListener("click", function () {
      current = [];
      field.value = "[]";
      draw();
    });
    field.addEventListener("input", draw);
    if (image) { image.addEventListener("load", draw); }
    draw();
  }

  document.addEventListener("DOMContentLoaded", function () {
    var wall = document.querySelector("[data-refresh-ms]");
    var every = wall ? parseInt(wall.getAttribute("data-refresh-ms"), 10) || 1500 : 1500;
    document.querySelectorAll("img[data-live-src]").forEach(function (img) { refreshTile(img, every); });
    // A stream never finishes loading: started before the page's load event, it would
    // hold that event (and the browser's spinner) forever.
    function streams() { document.querySelectorAll("img[data-mjpeg-src]").forEach(startMjpeg); }
    if (document.readyState === "complete") { streams(); } else { window.addEventListener("load", streams); }
    wallOverlay();
    var led = document.querySelector("[data-screen]");
    if (led) { screen(led); }
    else { document.querySelectorAll("video[data-hls]").forEach(startHls); }
    document.querySelectorAll("[data-polygon-editor]").forEach(polygonEditor);
  });
})();

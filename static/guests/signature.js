/* A small signature pad: pointer events (touch, pen and mouse) drawing on a canvas.
   On submit the drawing goes into the hidden `signature` field as a PNG data URL;
   an empty box leaves it empty, so the server says "Draw your signature". */
(function () {
  "use strict";
  var canvas = document.getElementById("signature-pad");
  var field = document.getElementById("id_signature");
  var form = document.getElementById("sign-form");
  if (!canvas || !field || !form) return;
  var ctx = canvas.getContext("2d");
  var drawing = false, drawn = false, last = null;

  function resize() {
    // Keep the drawing crisp on high-density screens; resizing clears, so do it before drawing.
    var ratio = Math.max(window.devicePixelRatio || 1, 1);
    var rect = canvas.getBoundingClientRect();
    canvas.width = Math.round(rect.width * ratio);
    canvas.height = Math.round(rect.height * ratio);
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.lineWidth = 2.5;
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
    ctx.strokeStyle = "#111";
    drawn = false;
    field.value = "";
  }

  function point(event) {
    var rect = canvas.getBoundingClientRect();
    return { x: event.clientX - rect.left, y: event.clientY - rect.top };
  }

  canvas.addEventListener("pointerdown", function (event) {
    event.preventDefault();
    canvas.setPointerCapture(event.pointerId);
    drawing = true;
    last = point(event);
    ctx.beginPath();
    ctx.arc(last.x, last.y, ctx.lineWidth / 2, 0, Math.PI * 2);
    ctx.fillStyle = ctx.strokeStyle;
    ctx.fill();
    drawn = true;
  });
  canvas.addEventListener("pointermove", function (event) {
    if (!drawing) return;
    event.preventDefault();
    var p = point(event);
    ctx.beginPath();
    ctx.moveTo(last.x, last.y);
    ctx.lineTo(p.x, p.y);
    ctx.stroke();
    last = p;
    drawn = true;
  });
  ["pointerup", "pointercancel", "pointerleave"].forEach(function (name) {
    canvas.addEventListener(name, function () { drawing = false; });
  });
  document.getElementById("signature-clear").addEventListener("click", function () {
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    drawn = false;
    field.value = "";
  });
  form.addEventListener("submit", function () {
    field.value = drawn ? canvas.toDataURL("image/png") : "";
    var button = document.getElementById("sign-submit");
    // One tap, one submission (the server also keeps a single signature per guest and version).
    setTimeout(function () { button.disabled = true; }, 0);
  });
  window.addEventListener("resize", function () { if (!drawn) resize(); });
  resize();
})();

/* The signature box, drawn with the vendored signature_pad (static/vendor/, MIT): smoothed
   strokes whose width follows the pen's speed, pointer events for touch, pen and mouse.
   The canvas is sized in device pixels, so the drawing stays crisp on high-density
   screens. On submit the drawing goes into the hidden `signature` field as a PNG data
   URL; an empty box leaves it empty, so the server says "Draw your signature". */
(function () {
  "use strict";
  var canvas = document.getElementById("signature-pad");
  var field = document.getElementById("id_signature");
  var form = document.getElementById("sign-form");
  if (!canvas || !field || !form || !window.SignaturePad) return;
  var pad = new window.SignaturePad(canvas, { penColor: "#111", minWidth: 0.8, maxWidth: 2.8 });

  function resize() {
    // Resizing a canvas clears it: keep the strokes and draw them again at the new size.
    var strokes = pad.toData();
    var ratio = Math.max(window.devicePixelRatio || 1, 1);
    canvas.width = Math.round(canvas.offsetWidth * ratio);
    canvas.height = Math.round(canvas.offsetHeight * ratio);
    canvas.getContext("2d").scale(ratio, ratio);
    pad.clear();
    pad.fromData(strokes);
  }

  document.getElementById("signature-clear").addEventListener("click", function () {
    pad.clear();
    field.value = "";
  });
  form.addEventListener("submit", function () {
    field.value = pad.isEmpty() ? "" : pad.toDataURL("image/png");
    var button = document.getElementById("sign-submit");
    // One tap, one submission (the server also keeps a single signature per guest and version).
    setTimeout(function () { button.disabled = true; }, 0);
  });
  window.addEventListener("resize", resize);
  resize();
})();

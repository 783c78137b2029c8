// Proof of delivery: the signature pad and the optional location, on top of a form that works
// without this file (the photo, the recipient's name and the reason need no script).
"use strict";

function setUpSignaturePad(form) {
  const canvas = form.querySelector("canvas[data-signature-pad]");
  const input = form.querySelector("input[data-signature-file]");
  const clear = form.querySelector("button[data-signature-clear]");
  const wrapper = form.querySelector("[data-signature-wrapper]");
  if (!canvas || !input || typeof DataTransfer === "undefined") return;
  wrapper.hidden = false;
  const context = canvas.getContext("2d");
  let drawing = false;
  let strokes = 0;

  function fit() {
    const ratio = window.devicePixelRatio || 1;
    const box = canvas.getBoundingClientRect();
    canvas.width = Math.round(box.width * ratio);
    canvas.height = Math.round(box.height * ratio);
    context.setTransform(ratio, 0, 0, ratio, 0, 0);
    context.fillStyle = "#fff";
    context.fillRect(0, 0, box.width, box.height);
    context.lineWidth = 2.5;
    context.lineCap = "round";
    context.lineJoin = "round";
    context.strokeStyle = "#111";
    strokes = 0;
    canvas.dataset.strokes = "0";
  }

  function point(event) {
    const box = canvas.getBoundingClientRect();
    return [event.clientX - box.left, event.clientY - box.top];
  }

  canvas.addEventListener("pointerdown", (event) => {
    drawing = true;
    canvas.setPointerCapture(event.pointerId);
    const [x, y] = point(event);
    context.beginPath();
    context.moveTo(x, y);
    event.preventDefault();
  });
  canvas.addEventListener("pointermove", (event) => {
    if (!drawing) return;
    const [x, y] = point(event);
    context.lineTo(x, y);
    context.stroke();
    event.preventDefault();
  });
  const stop = () => {
    if (!drawing) return;
    drawing = false;
    strokes += 1;
    canvas.dataset.strokes = String(strokes);
  };
  canvas.addEventListener("pointerup", stop);
  canvas.addEventListener("pointercancel", stop);
  if (clear) clear.addEventListener("click", fit);

  let ready = false;
  form.addEventListener("submit", (event) => {
    if (ready || strokes === 0) return;
    event.preventDefault();
    canvas.toBlob((blob) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([blob], "signature.png", { type: "image/png" }));
      input.files = transfer.files;
      ready = true;
      form.requestSubmit(event.submitter || undefined);
    }, "image/png");
  });
  fit();
}

function setUpLocation(form) {
  const button = form.querySelector("button[data-location]");
  if (!button || !navigator.geolocation) return;
  const status = form.querySelector("[data-location-status]");
  button.hidden = false;
  button.addEventListener("click", () => {
    status.textContent = button.dataset.waiting;
    navigator.geolocation.getCurrentPosition(
      (position) => {
        form.elements.latitude.value = position.coords.latitude.toFixed(6);
        form.elements.longitude.value = position.coords.longitude.toFixed(6);
        form.elements.accuracy_m.value = String(Math.round(position.coords.accuracy));
        status.textContent = button.dataset.done;
      },
      () => { status.textContent = button.dataset.refused; },
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 },
    );
  });
}

function preventDoubleTap(form) {
  // The server ignores a repeated submit (the form's idempotency key); this only spares the wait.
  form.addEventListener("submit", (event) => {
    if (event.defaultPrevented) return;
    window.setTimeout(() => {
      for (const button of form.querySelectorAll("button[type=submit]")) button.disabled = true;
    }, 0);
  });
}

document.addEventListener("DOMContentLoaded", () => {
  for (const form of document.querySelectorAll("form[data-pod-form]")) {
    setUpSignaturePad(form);
    setUpLocation(form);
    preventDoubleTap(form);
  }
});

// Diagrams (issue 14, item 9): zoom and pan with buttons, the wheel, a pinch or a drag, and open
// centred on the open elements (the SVG's data-focus). Without this script the page shows the
// diagram fitted to the width, with a link to it at full size.
const MIN = 0.15; // screen px per drawing unit, at most zoomed out
const MAX = 3;

function box(svg) {
  return svg.getAttribute("viewBox").split(/\s+/).map(Number);
}

function setBox(svg, [x, y, w, h]) {
  svg.setAttribute("viewBox", `${x.toFixed(1)} ${y.toFixed(1)} ${w.toFixed(1)} ${h.toFixed(1)}`);
}

function zoomable(container) {
  const svg = container.querySelector("svg.bpmn");
  if (!svg) return;
  const whole = box(svg);
  container.classList.add("zoomable");
  const pixels = () => svg.getBoundingClientRect();
  const scale = () => pixels().width / box(svg)[2];

  function zoomAt(factor, px, py) {
    const [x, y, w, h] = box(svg);
    const next = Math.min(Math.max(scale() * factor, MIN), MAX);
    const r = pixels();
    const nw = r.width / next;
    const nh = r.height / next;
    const fx = (px ?? r.width / 2) / r.width;
    const fy = (py ?? r.height / 2) / r.height;
    setBox(svg, [x + (w - nw) * fx, y + (h - nh) * fy, nw, nh]);
  }

  function centreOn([fx, fy, fw, fh], at) {
    const r = pixels();
    const w = r.width / at;
    const h = r.height / at;
    setBox(svg, [fx + fw / 2 - w / 2, fy + fh / 2 - h / 2, w, h]);
  }

  function fit() {
    const r = pixels();
    centreOn(whole, Math.min(r.width / whole[2], r.height / whole[3]));
  }

  const focus = svg.dataset.focus ? svg.dataset.focus.split(/\s+/).map(Number) : null;
  if (focus) centreOn(focus, 1);
  else fit();

  const tools = document.createElement("div");
  tools.className = "diagram-tools";
  const texts = container.dataset;
  for (const [label, act] of [
    [texts.perbesar, () => zoomAt(1.4)],
    [texts.perkecil, () => zoomAt(1 / 1.4)],
    [texts.seluruhnya, fit],
    ...(focus ? [[texts.posisi, () => centreOn(focus, 1)]] : []),
  ]) {
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = label;
    button.addEventListener("click", act);
    tools.append(button);
  }
  container.before(tools);

  svg.addEventListener("wheel", (event) => {
    event.preventDefault();
    const r = pixels();
    zoomAt(event.deltaY < 0 ? 1.15 : 1 / 1.15, event.clientX - r.left, event.clientY - r.top);
  }, { passive: false });

  const pointers = new Map();
  let spread = 0;
  svg.addEventListener("pointerdown", (event) => {
    svg.setPointerCapture(event.pointerId);
    pointers.set(event.pointerId, [event.clientX, event.clientY]);
    svg.classList.add("dragging");
  });
  svg.addEventListener("pointermove", (event) => {
    const last = pointers.get(event.pointerId);
    if (!last) return;
    const points = [...pointers.values()];
    pointers.set(event.pointerId, [event.clientX, event.clientY]);
    if (pointers.size === 1) {
      const [x, y, w, h] = box(svg);
      const s = scale();
      setBox(svg, [x - (event.clientX - last[0]) / s, y - (event.clientY - last[1]) / s, w, h]);
    } else if (pointers.size === 2) {
      const [a, b] = [...pointers.values()];
      const now = Math.hypot(a[0] - b[0], a[1] - b[1]);
      const before = Math.hypot(points[0][0] - points[1][0], points[0][1] - points[1][1]);
      if (before > 0 && spread) {
        const r = pixels();
        zoomAt(now / before, (a[0] + b[0]) / 2 - r.left, (a[1] + b[1]) / 2 - r.top);
      }
      spread = now;
    }
  });
  const release = (event) => {
    pointers.delete(event.pointerId);
    if (pointers.size < 2) spread = 0;
    if (!pointers.size) svg.classList.remove("dragging");
  };
  svg.addEventListener("pointerup", release);
  svg.addEventListener("pointercancel", release);
}

for (const container of document.querySelectorAll("[data-diagram]")) zoomable(container);

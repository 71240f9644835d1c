// voiceback kiosk screen: shows the assistant's events (server-sent, /events) live and
// sends the four buttons to POST /button. No other requests, no libraries.
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const CIRCLE_MIN = 0.35; // the breathing circle's scale at the end of a breath out
  const CIRCLE_MAX = 1.0; // ... and at the end of a breath in
  const WORDS_PER_S = 2.5; // to guess when a spoken reply ends (no event says so)
  const TIMER_GONE_MS = 5 * 60 * 1000; // a rung timer is shown this long, then dropped
  const BUTTON_LAPSE_MS = 3000; // "You tapped ..." is not overwritten for this long
  const KEEPS_BREATHING = new Set([
    "slower", "faster", "louder", "quieter", "resume", "repeat", "thanks", "help",
    "next", "previous", "greeting", "yes", "no",
  ]);
  const BUTTON_LABELS = { stop: "Stop", repeat: "Repeat", breathe: "Breathe", serious: "Is this serious?" };
  const NUMBERS = [
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
    "eighteen", "nineteen", "twenty",
  ];

  // What the tests and bench/screen_latency.py read: for each live event, milliseconds
  // from its publishing to the frame that shows it.
  const stats = { latencies: [], shown: 0, breaths: [] };
  window.voiceback = stats;

  const state = {
    connected: false,
    listening: false,
    problem: false,
    speakingUntil: 0,
    buttonAt: 0,
    answer: "", // the last reply shown
    cue: "", // the last routine or breathing text shown
    breathing: false,
    timers: new Map(),
  };

  const nowMs = () => performance.timeOrigin + performance.now();

  // --- colours: night by the local hour or the system's preference ----------------
  const darkQuery = window.matchMedia("(prefers-color-scheme: dark)");
  function night() {
    const hour = new Date().getHours();
    document.body.classList.toggle("night", darkQuery.matches || hour >= 21 || hour < 7);
  }

  // --- the status line -----------------------------------------------------------
  function status() {
    let s = "idle";
    let text = "Not listening";
    if (!state.connected) [s, text] = ["offline", "Not connected"];
    else if (Date.now() < state.speakingUntil) [s, text] = ["speaking", "Speaking"];
    else if (state.problem) [s, text] = ["problem", "Microphone problem"];
    else if (state.listening) [s, text] = ["listening", "Listening"];
    const el = $("listening");
    if (el.dataset.state !== s) {
      el.dataset.state = s;
      el.textContent = text;
    }
  }

  function heard(text) {
    $("heard").textContent = text;
  }

  // --- the main text: one answer or one step at a time ---------------------------
  function show(text, over = "", hold = "") {
    $("step-of").textContent = over;
    $("answer").textContent = text;
    $("hold").textContent = hold;
    fit();
  }

  // The largest type (down to 18 px) at which `el` and its siblings fit in `box`.
  function fitText(box, el, largest) {
    const style = getComputedStyle(box);
    const room = box.clientHeight - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom);
    const gaps = (parseFloat(style.rowGap) || 0) * (box.children.length - 1);
    const used = () => [...box.children].reduce((h, c) => h + c.offsetHeight, gaps);
    let size = largest;
    el.style.fontSize = `${size}px`;
    while (used() > room && size > 18) {
      size -= 2;
      el.style.fontSize = `${size}px`;
    }
  }

  function fit() {
    fitText($("say"), $("answer"), state.breathing ? 34 : 40);
  }

  function alarm(text) {
    $("alarm-text").textContent = text;
    $("alarm").hidden = false;
    fitText($("alarm"), $("alarm-text"), 32);
  }

  // --- the breathing circle: the spoken cues' schedule drives it -------------------
  function startBreathing() {
    if (state.breathing) return;
    state.breathing = true;
    $("breathing").hidden = false;
    const circle = $("circle");
    circle.style.transitionDuration = "0s";
    circle.style.transform = `scale(${CIRCLE_MIN})`;
    void circle.offsetWidth; // start the next transition from here
  }

  function stopBreathing() {
    if (!state.breathing) return;
    state.breathing = false;
    $("breathing").hidden = true;
    $("count").textContent = "";
  }

  function breathe(d) {
    if (d.phase === "end") {
      stopBreathing();
      show(d.text);
      return;
    }
    startBreathing();
    if (d.phase === "inhale" || d.phase === "exhale") {
      const circle = $("circle");
      const scale = d.phase === "inhale" ? CIRCLE_MAX : CIRCLE_MIN;
      circle.style.transitionDuration = `${d.duration_s}s`;
      circle.style.transform = `scale(${scale})`;
      $("count").textContent = "";
      stats.breaths.push({ phase: d.phase, at_ms: nowMs(), duration_s: d.duration_s });
      show(d.text, d.phase === "inhale" ? "Breathe in" : "Breathe out");
    } else if (d.phase === "count") {
      const n = NUMBERS.indexOf(String(d.text).toLowerCase().replace(/[^a-z]/g, ""));
      $("count").textContent = n >= 0 ? String(n) : d.text;
    } else {
      $("answer").textContent = d.text; // the intro, an encouragement
      fit();
    }
  }

  // --- timers: counted down here, from the time left when the event was published ---
  function onTimer(d, atMs) {
    if (d.cancelled || d.acknowledged) {
      state.timers.delete(d.id);
    } else {
      const label = d.label ? d.label[0].toUpperCase() + d.label.slice(1) : "Timer";
      state.timers.set(d.id, { label, deadline: atMs + Number(d.left_s) * 1000 });
    }
    renderTimers();
  }

  function renderTimers() {
    const box = $("timers");
    box.replaceChildren(
      ...[...state.timers].map(([id, t]) => {
        const el = document.createElement("div");
        el.className = "timer";
        el.dataset.id = id;
        const label = document.createElement("span");
        label.className = "label";
        label.textContent = t.label;
        const left = document.createElement("span");
        left.className = "left";
        el.append(label, left);
        return el;
      }),
    );
    tickTimers();
  }

  function clock(ms) {
    const s = Math.ceil(ms / 1000);
    const h = Math.floor(s / 3600);
    const m = Math.floor((s % 3600) / 60);
    const ss = String(s % 60).padStart(2, "0");
    return h ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
  }

  function tickTimers() {
    const now = nowMs();
    for (const [id, t] of state.timers) {
      if (now - t.deadline > TIMER_GONE_MS) {
        state.timers.delete(id);
        renderTimers();
        return;
      }
      const el = $("timers").querySelector(`[data-id="${CSS.escape(String(id))}"]`);
      if (!el) continue;
      const due = t.deadline <= now;
      el.classList.toggle("due", due);
      el.querySelector(".left").textContent = due ? "now" : clock(t.deadline - now);
    }
  }

  // --- events ----------------------------------------------------------------------
  function onUnderstood(d) {
    if (d.text && Date.now() - state.buttonAt > BUTTON_LAPSE_MS) heard(`Heard: “${d.text}”`);
    if (d.red_flag || !KEEPS_BREATHING.has(d.intent)) stopBreathing();
    state.answer = d.reply;
    show(d.reply);
    if (d.red_flag) alarm(d.reply);
    else $("alarm").hidden = true;
  }

  function onSpeaking(d) {
    const words = String(d.text).split(/\s+/).length;
    state.speakingUntil = Math.max(state.speakingUntil, Date.now() + (words / WORDS_PER_S) * 1000);
    if (d.text === state.answer || d.text === state.cue) return; // shown already
    state.answer = d.text; // a reminder, a check-in, "say that again"
    show(d.text);
  }

  function onStep(d) {
    state.cue = d.text;
    if (d.routine === "breathing") {
      breathe(d);
    } else if (d.phase === "count" || d.phase === "relax") {
      $("hold").textContent = d.text;
    } else {
      stopBreathing();
      const what = d.phase === "question" ? "Question" : "Step";
      // what the reply asks after the step ("Shall I remind you ...?") stays in view
      const at = state.answer.lastIndexOf(d.text);
      const after = at >= 0 ? state.answer.slice(at + d.text.length).trim() : "";
      show(d.text, `${what} ${d.index + 1} of ${d.count}`, after);
    }
  }

  function apply(msg) {
    const d = msg.data || {};
    switch (msg.kind) {
      case "listening":
        state.listening = true;
        state.problem = false;
        break;
      case "heard":
        if (d.button) {
          state.buttonAt = Date.now();
          heard(`You tapped: ${BUTTON_LABELS[d.button] || d.button}`);
        } else {
          heard(`Heard: “${d.text}”`);
        }
        break;
      case "understood":
        onUnderstood(d);
        break;
      case "speaking":
        onSpeaking(d);
        break;
      case "step":
        onStep(d);
        break;
      case "timer":
        onTimer(d, msg.at_ms);
        break;
      case "error":
        if (!d.code || d.code === "audio") state.problem = true;
        break;
      default:
        return;
    }
    status();
  }

  function receive(msg) {
    try {
      apply(msg);
    } catch (err) {
      console.error("voiceback screen: could not show", msg, err);
      return;
    }
    if (msg.replay) return;
    stats.shown += 1;
    requestAnimationFrame(() => {
      stats.latencies.push(nowMs() - msg.at_ms);
      if (stats.latencies.length > 5000) stats.latencies.shift();
    });
  }

  function connect() {
    const source = new EventSource("/events");
    source.onopen = () => {
      state.connected = true;
      state.timers.clear(); // the replay that follows has those still running
      renderTimers();
      status();
    };
    source.onerror = () => {
      state.connected = false; // EventSource tries again by itself
      state.listening = false;
      status();
    };
    source.onmessage = (m) => receive(JSON.parse(m.data));
  }

  // --- buttons -----------------------------------------------------------------------
  async function press(button) {
    button.classList.add("pressed");
    try {
      const answer = await fetch("/button", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ name: button.dataset.name }),
      });
      if (!answer.ok) throw new Error(`HTTP ${answer.status}`);
    } catch (err) {
      button.classList.add("failed");
      console.error("voiceback screen: button", button.dataset.name, err);
    }
    setTimeout(() => button.classList.remove("pressed", "failed"), 700);
  }

  for (const button of document.querySelectorAll("#buttons button")) {
    button.addEventListener("click", () => press(button));
  }
  $("alarm-ok").addEventListener("click", () => {
    $("alarm").hidden = true;
  });

  night();
  darkQuery.addEventListener("change", night);
  setInterval(night, 60 * 1000);
  setInterval(() => {
    status();
    tickTimers();
  }, 250);
  status();
  fit();
  connect();
})();

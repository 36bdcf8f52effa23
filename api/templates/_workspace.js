(() => {
  "use strict";
  // Every value shown comes from the API and is set with textContent, never innerHTML.
  const $ = (id) => document.getElementById(id);
  const headers = { "Content-Type": "application/json", "{{ csrf_header }}": "1" };
  const labels = { eligible: "Eligible", possibly_eligible: "Possibly eligible", ineligible: "Not eligible" };
  const symbols = { met: "✓", not_met: "✗", unknown: "?", not_applicable: "–" };
  const answerLabels = { met: "met", not_met: "not met", not_applicable: "not applicable" };
  let watching = 0;
  let current = null;  // the open profile id
  let rows = {};  // profile id -> row of GET /v1/profiles

  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    Object.assign(node, props || {});
    for (const c of children) if (c !== null && c !== undefined) node.append(c);
    return node;
  }

  function showErrors(items) {
    $("errors").replaceChildren(...items.map((t) => el("li", { textContent: t })));
    if (items.length) $("errors").scrollIntoView({ block: "nearest" });
  }

  async function api(url, options) {
    let res;
    try {
      res = await fetch(url, { credentials: "same-origin", ...options });
    } catch (e) {
      return { status: 0, body: { detail: "The server could not be reached; check the connection and try again." } };
    }
    if (res.status === 401) { window.location.assign("/login"); throw new Error("signed out"); }
    let body = null;
    try { body = await res.json(); } catch (e) { body = null; }
    return { status: res.status, body };
  }

  // Field paths and validator wording made readable; a regular expression is never shown.
  function plain(field, message) {
    const name = String(field).replace(/^(body|query|path)\./, "").replace(/\./g, " › ").replace(/_/g, " ");
    let text = String(message);
    if (/should match pattern/i.test(text)) text = "is not in the expected format";
    text = text.replace(/^Value error, /, "").replace(/^String should have at most (\d+) characters?$/, "is too long (at most $1 characters)");
    return `${name}: ${text}`;
  }

  function errorsOf(body, status) {
    if (body && Array.isArray(body.detail)) return body.detail.map((d) => plain(d.field, d.message));
    if (body && body.detail) return [String(body.detail)];
    if (status === 503) return ["The service is busy or the queue is down; nothing was changed. Try again in a minute."];
    return [`The request failed (HTTP ${status}).`];
  }

  const base = (pid) => "/v1/profiles/" + encodeURIComponent(pid);

  function statusText(p, counts) {
    const job = p.job_status === "failed" ? `last match failed: ${p.job_reason || "no reason given"}`
      : (p.job_status === "queued" || p.job_status === "running") ? `match ${p.job_status}` : "";
    if (!p.matched) return job || "not matched yet";
    const matched = `matched ${p.evaluated_on}: ${counts || "no trials"}`;
    return job ? `${matched}; ${job}` : matched;
  }

  async function loadProfiles() {
    const { status, body } = await api("/v1/profiles");
    const tbody = $("profiles").tBodies[0];
    if (status !== 200) { $("profiles-summary").textContent = errorsOf(body, status).join(" "); return; }
    rows = {};
    tbody.replaceChildren();
    for (const p of body.profiles) {
      rows[p.profile_id] = p;
      const counts = Object.entries(p.verdicts).map(([v, n]) => `${n} ${(labels[v] || v).toLowerCase()}`).join(", ");
      const open = el("button", { type: "button", textContent: "Open", className: "open-profile" });
      open.dataset.pid = p.profile_id;
      open.setAttribute("aria-label", `Open ${p.reference || p.profile_id}`);
      open.addEventListener("click", () => openProfile(p.profile_id));
      const tr = el("tr", {},
        el("td", {}, el("strong", { textContent: p.reference || "—" }), el("br"), el("code", { textContent: p.profile_id, className: "muted" })),
        el("td", { textContent: statusText(p, counts), className: p.job_status === "failed" ? "failed" : "" }),
        el("td", { textContent: p.matched ? String(p.facts_to_collect) : "—" }),
        el("td", { textContent: p.new_since_review ? `${p.new_since_review} new` : "nothing new", className: p.new_since_review ? "new" : "" }),
        el("td", { textContent: p.last_meeting ? `meeting of ${p.last_meeting}` : "not yet reviewed" }),
        el("td", {}, open));
      tr.dataset.pid = p.profile_id;
      tbody.append(tr);
    }
    $("profiles-summary").textContent = body.profiles.length
      ? `${body.profiles.length} profile${body.profiles.length === 1 ? "" : "s"}, most recently submitted first.`
      : "No profiles yet: submit one below.";
  }

  async function openProfile(pid) {
    current = pid;
    $("workspace").hidden = false;
    $("profile-id").textContent = pid;
    const row = rows[pid];
    $("ws-title").textContent = row && row.reference ? `Profile ${row.reference}` : `Profile ${pid}`;
    const now = new Date();  // the coordinator's own calendar day, not UTC's
    $("meeting-date").value = [now.getFullYear(), String(now.getMonth() + 1).padStart(2, "0"), String(now.getDate()).padStart(2, "0")].join("-");
    $("review-status").textContent = row && row.last_meeting ? `Last reviewed at the meeting of ${row.last_meeting}.` : "Not yet reviewed at a meeting.";
    await Promise.all([loadMatches(pid), loadChanges(pid)]);
    $("ws-title").focus();
  }

  async function loadChanges(pid) {
    const row = rows[pid];
    const since = row && row.last_reviewed_at ? "?since=" + encodeURIComponent(row.last_reviewed_at) : "";
    const { status, body } = await api(base(pid) + "/changes" + since);
    const list = $("changes");
    if (status !== 200) { list.replaceChildren(el("li", { textContent: errorsOf(body, status).join(" ") })); return; }
    const items = body.changes.slice().reverse().map((c) => el("li", {},
      el("span", { className: "muted", textContent: c.at.slice(0, 16).replace("T", " ") + " " }),
      el("strong", { textContent: c.kind.replace(/_/g, " ") }),
      c.nct_id ? ` ${c.nct_id}: ` : ": ", String(c.detail ?? "")));
    list.replaceChildren(...(items.length ? items : [el("li", { className: "muted", textContent: "Nothing new since the last review." })]));
  }

  function renderFacts(facts) {
    const list = $("facts");
    const item = (f) => {
      const li = el("li", {}, el("strong", { textContent: f.label }),
        f.field ? el("span", { className: "muted", textContent: ` (profile field ${f.field})` }) : null,
        ` — settles ${f.trials.length} trial${f.trials.length === 1 ? "" : "s"}: ${f.trials.join(", ")}`);
      li.dataset.fact = f.fact;
      li.dataset.trials = f.trials.join(" ");
      return li;
    };
    // The most-unblocking facts first; the long tail of one-off criteria folded away.
    const shown = facts.slice(0, 15).map(item);
    if (facts.length > 15) {
      const rest = el("ol", { start: 16 }, ...facts.slice(15).map(item));
      shown.push(el("li", { className: "more" }, el("details", {}, el("summary", { textContent: `${facts.length - 15} more facts, each settling fewer trials` }), rest)));
    }
    list.replaceChildren(...shown);
    $("facts-summary").textContent = facts.length
      ? `${facts.length} distinct facts settle the open questions of the candidate trials; most-unblocking first.`
      : "No open questions among the candidate trials.";
  }

  function answerForm(pid, m, c) {
    const id = `a-${m.nct_id}-${c.key}`;
    const select = el("select", { id: id + "-v", name: "answer", required: true },
      el("option", { value: "", textContent: "choose…" }),
      ...Object.entries(answerLabels).map(([v, t]) => el("option", { value: v, textContent: t })));
    const note = el("input", { id: id + "-n", name: "note", maxLength: 120, size: 24, placeholder: "short note", autocomplete: "off" });
    const form = el("form", { className: "answer-form" },
      el("label", { htmlFor: select.id, textContent: "Answer" }), " ", select, " ",
      el("label", { htmlFor: note.id, textContent: "Note" }), " ", note, " ",
      el("button", { type: "submit", textContent: "Save answer" }));
    form.dataset.key = c.key;
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      showErrors([]);
      const payload = { answer: select.value, note: note.value.trim() || null };
      const url = `${base(pid)}/answers/${encodeURIComponent(m.nct_id)}/${encodeURIComponent(c.key)}`;
      const { status, body } = await api(url, { method: "PUT", body: JSON.stringify(payload), headers });
      if (status !== 202) { showErrors(errorsOf(body, status)); return; }
      if (body.job_id) watch(body.job_id, pid);
      else showErrors(["Answer saved; the queue is unavailable, so it applies at the next re-match."]);
    });
    return form;
  }

  function withdrawButton(pid, m, c) {
    const button = el("button", { type: "button", textContent: "Withdraw answer", className: "withdraw" });
    button.addEventListener("click", async () => {
      const url = `${base(pid)}/answers/${encodeURIComponent(m.nct_id)}/${encodeURIComponent(c.key)}`;
      const { status, body } = await api(url, { method: "DELETE", headers });
      if (status !== 202) { showErrors(errorsOf(body, status)); return; }
      if (body.job_id) watch(body.job_id, pid);
    });
    return button;
  }

  function checklist(pid, m) {
    const rowsOut = m.criteria.map((c) => {
      const action = c.verdict === "unknown" ? answerForm(pid, m, c)
        : (c.rule_id === "board/answer" || c.reason.startsWith("board answer:") ? withdrawButton(pid, m, c) : "");
      const tr = el("tr", { className: "c-" + c.verdict },
        el("td", { className: "sym", title: c.verdict.replace("_", " "), textContent: symbols[c.verdict] }),
        el("td", {}, c.text, c.section === "exclusion" ? el("span", { className: "muted", textContent: " (exclusion)" }) : null),
        el("td", { textContent: c.reason }),
        el("td", {}, action));
      return tr;
    });
    return el("table", { className: "checklist" },
      el("thead", {}, el("tr", {}, ...["", "Criterion", "Why", "Board answer"].map((t) => el("th", { scope: "col", textContent: t })))),
      el("tbody", {}, ...rowsOut));
  }

  function statusOf(m) {
    // as the report and CLI name it: expanded access, and how fresh the registry status is
    const status = m.overall_status === "AVAILABLE" ? "expanded access"
      : (m.overall_status || "status unknown").toLowerCase().replace(/_/g, " ");
    return m.status_confirmed ? `${status} (confirmed ${m.status_confirmed.slice(0, 10)})` : status;
  }

  function trialItem(pid, m, rank) {
    const open = m.criteria.filter((c) => c.verdict === "unknown").length;
    const li = el("li", { className: "match t-" + m.verdict });
    li.dataset.nct = m.nct_id;
    li.dataset.verdict = m.verdict;
    li.dataset.open = String(open);
    const site = m.nearest_site ? `nearest open site ${Math.round(m.nearest_site.distance_km)} km (${m.nearest_site.city || m.nearest_site.facility || "site"})` : "no located site";
    li.append(
      el("div", { className: "trial-head" }, el("strong", { className: "verdict v-" + m.verdict, textContent: labels[m.verdict] || m.verdict }),
        ` · ${m.nct_id} · ${m.title}`),
      el("div", { className: "muted", textContent: `${statusOf(m)} · ${m.phases.join(", ") || "phase n/a"} · ${site} · score ${m.score.toFixed(2)}` }));
    // "why this rank" (engine 2026.11.5; absent in results stored by older engines)
    if (m.rank && m.rank.why.length > 1) li.append(el("div", { className: "muted why", textContent: "Why this rank: " + m.rank.why.slice(1).join("; ") }));
    if (m.decisive.length) li.append(el("ul", { className: "reasons" }, ...m.decisive.slice(0, 3).map((r) => el("li", { textContent: "✗ " + r }))));
    const details = el("details", { className: "checks" }, el("summary", { textContent: `Criteria checklist: ${open} open question${open === 1 ? "" : "s"}` }));
    details.addEventListener("toggle", () => {
      if (details.open && details.children.length === 1) details.append(checklist(pid, m));
    }, { once: false });
    li.append(details);
    return li;
  }

  async function loadMatches(pid) {
    const { status, body } = await api(base(pid) + "/matches");
    const list = $("matches");
    list.replaceChildren();
    if (status !== 200) { $("matches-summary").textContent = errorsOf(body, status).join(" "); return; }
    $("report-link").href = base(pid) + "/report";
    $("json-link").href = base(pid) + "/matches";
    $("links").hidden = false;
    $("warnings").replaceChildren(...(body.warnings || []).map((t) => el("li", { textContent: "Warning: " + t })));
    renderFacts(body.facts_to_collect || []);
    if (body.pending) { $("matches-summary").textContent = "Not matched yet."; return; }
    const opened = new Set(Array.from(document.querySelectorAll("#matches details[open]")).map((d) => d.closest("li").dataset.nct));
    $("matches-summary").textContent = `${body.total} trials judged on ${body.evaluated_on}, best first.`;
    body.results.forEach((m, i) => list.append(trialItem(pid, m, i + 1)));
    for (const nct of opened) {
      const d = list.querySelector(`li[data-nct="${CSS.escape(nct)}"] details`);
      if (d) d.open = true;
    }
  }

  async function watch(jobId, pid) {
    const me = ++watching;
    $("job-id").textContent = jobId;
    $("profile-id").textContent = pid;
    $("job-reason").textContent = "";
    for (;;) {
      if (me !== watching) return;
      const { status, body } = await api("/v1/jobs/" + encodeURIComponent(jobId));
      if (status !== 200) { $("job-status").textContent = "unknown"; showErrors(errorsOf(body, status)); return; }
      $("job-status").textContent = body.status;
      $("job-reason").textContent = body.reason || "";
      if (body.status === "done") {
        await loadProfiles();
        await openProfile(pid);
        return;
      }
      if (body.status === "failed") return;
      await new Promise((r) => setTimeout(r, 700));
    }
  }

  $("submit-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    showErrors([]);
    const text = $("profile").value;
    const replace = $("replace").checked;
    if (replace && !current) { showErrors(["Open a profile first to replace it."]); return; }
    const url = replace ? base(current) : "/v1/profiles";
    $("job-status").textContent = "submitting";
    $("job-id").textContent = "—";  // never a previous job's id next to a new failure
    $("job-reason").textContent = "";
    const { status, body } = await api(url, { method: replace ? "PUT" : "POST", body: text, headers });
    if (status !== 202) { $("job-status").textContent = "not submitted"; showErrors(errorsOf(body, status)); return; }
    $("workspace").hidden = false;
    $("warnings").replaceChildren(...(body.warnings || []).map((t) => el("li", { textContent: "Warning: " + t })));
    current = body.profile_id;
    watch(body.job_id, body.profile_id);
  });

  $("review-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    showErrors([]);
    if (!current) return;
    const meeting = $("meeting-date").value;
    const { status, body } = await api(base(current) + "/reviewed", { method: "POST", body: JSON.stringify({ meeting_date: meeting || null }), headers });
    if (status !== 200) { showErrors(errorsOf(body, status)); return; }
    await loadProfiles();
    $("review-status").textContent = `Marked reviewed at the meeting of ${body.meeting_date}.`;
    await loadChanges(current);
  });

  $("open-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const pid = $("open-id").value.trim();
    if (pid) openProfile(pid);
  });

  $("ws-title").tabIndex = -1;
  loadProfiles();
})();

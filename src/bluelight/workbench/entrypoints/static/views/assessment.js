// The Audit Wales self-assessment (Appendix 4): 16 statements answered Always /
// Sometimes / Never with evidence and actions, per partnership, year and respondent.
// Save a draft, submit (the API names every unanswered statement), see the radar chart
// the API draws, and compare a partnership year on year and across respondents.

import { Assessments, Register } from "../api.js";
import { h, replaceChildren, uid } from "/console/dom.js";
import { field, checkbox, errorSummary, showErrors, clearErrors } from "/console/forms.js";
import { viewHead, section, table, loading, errorPanel, insertSvg, problemText } from "../ui.js";

const RATINGS = [["always", "Always"], ["sometimes", "Sometimes"], ["never", "Never"]];
const TREND = { improved: "\u25B2 improved", worse: "\u25BC worse", same: "= same", unknown: "? not enough answers" };
const AGREEMENT = { unanimous: "all agree", mixed: "mixed", disagree: "\u26A0 disagree (Always and Never both given)", unknown: "no answers" };

function statementFieldset(st) {
  const name = `rating-${st.id}`;
  const radios = RATINGS.map(([value, text]) => {
    const id = uid("r");
    return h("span.wb-radio",
      h("input", { type: "radio", id, name, value, "data-testid": `rating-${st.id}-${value}` }),
      h("label", { for: id }, text));
  });
  const evidence = field({ label: "Evidence", name: `evidence-${st.id}`, path: `answers.${st.id}.evidence`, control: "textarea", rows: 2, testid: `evidence-${st.id}` });
  const actions = field({ label: "Actions (one per line)", name: `actions-${st.id}`, path: `answers.${st.id}.actions`, control: "textarea", rows: 2, testid: `actions-${st.id}` });
  const fs = h(
    "fieldset.group.wb-statement",
    { "data-path": `answers.${st.id}.rating`, "data-statement": st.id, "data-testid": "statement" },
    h("legend", `${st.id} \u2013 ${st.text}`),
    h("div.wb-radios", { role: "radiogroup", "aria-label": `Rating for ${st.id}` }, radios),
    h("div.grid-2", evidence, actions),
  );
  fs.read = () => {
    const rating = fs.querySelector(`input[name="${name}"]:checked`)?.value || null;
    const answer = { statement: st.id };
    if (rating) answer.rating = rating;
    if (evidence.input.value.trim()) answer.evidence = evidence.input.value.trim();
    const list = actions.input.value.split("\n").map((t) => t.trim()).filter(Boolean).map((text) => ({ text }));
    if (list.length) answer.actions = list;
    return answer;
  };
  fs.write = (answer) => {
    for (const r of fs.querySelectorAll(`input[name="${name}"]`)) r.checked = Boolean(answer && r.value === answer.rating);
    evidence.input.value = answer?.evidence || "";
    actions.input.value = (answer?.actions || []).map((a) => a.text).join("\n");
  };
  return fs;
}

function assessmentForm(ctx, checklist, streams, existing) {
  let current = existing;
  const partnership = field({ label: "Partnership", name: "partnership", path: "partnership", testid: "as-partnership", required: true, list: "wb-partnerships",
    hint: "For example a Strategic Collaboration Board workstream" });
  const datalist = h("datalist#wb-partnerships", streams.map((w) => h("option", { value: `Strategic Collaboration Board: ${w.name}` })));
  const year = field({ label: "Year", name: "year", path: "year", testid: "as-year", required: true, inputmode: "numeric", value: String(new Date().getFullYear()) });
  const name = field({ label: "Respondent's name", name: "respondent-name", path: "respondent.name", testid: "as-name", required: true });
  const org = field({ label: "Respondent's organisation", name: "respondent-org", path: "respondent.organisation", testid: "as-organisation", required: true });
  const role = field({ label: "Respondent's role", name: "respondent-role", path: "respondent.role", testid: "as-role" });
  const statements = checklist.statements.map(statementFieldset);
  const state = h("p.wb-form-state", { role: "status", "data-testid": "as-state" });
  const radarSlot = h("figure.chart.wb-radar-figure", { "data-testid": "radar-figure", hidden: true });
  const save = h("button.btn.btn-secondary", { type: "button", "data-testid": "as-save" }, "Save draft");
  const submit = h("button.btn.btn-primary", { type: "submit", "data-testid": "as-submit" }, "Submit the assessment");

  const body = () => {
    const y = Number(year.input.value.trim());
    return {
      partnership: partnership.input.value.trim(),
      year: Number.isInteger(y) ? y : year.input.value.trim(),
      respondent: { name: name.input.value.trim(), organisation: org.input.value.trim(), role: role.input.value.trim() },
      answers: statements.map((fs) => fs.read()).filter((a) => Object.keys(a).length > 1),
    };
  };

  async function showRadar() {
    if (!current) return;
    try {
      const text = await Assessments.radar(current.id);
      radarSlot.hidden = false;
      replaceChildren(radarSlot, h("figcaption.chart-title", "Radar chart: the further from the centre, the better (Always 2, Sometimes 1, Never 0)"), h("div.wb-radar-box"));
      insertSvg(radarSlot.querySelector(".wb-radar-box"), text, "radar");
    } catch (err) {
      radarSlot.hidden = false;
      replaceChildren(radarSlot, errorPanel(err, "The radar chart could not be drawn"));
    }
  }

  function describe(view) {
    const s = view.score;
    const pct = s.percentage === null || s.percentage === undefined ? "no score yet" : `${s.percentage}% of the points available for the answered statements`;
    state.textContent = view.status === "submitted"
      ? `Submitted: ${s.answered} of ${s.statements} statements answered, ${pct}. A submitted assessment no longer changes.`
      : `Draft saved: ${s.answered} of ${s.statements} statements answered, ${pct}.`;
    state.dataset.status = view.status;
  }

  function lock() {
    for (const el of form.querySelectorAll("input, textarea, button")) el.disabled = true;
  }

  function load(view) {
    current = view;
    partnership.input.value = view.partnership;
    year.input.value = String(view.year);
    name.input.value = view.respondent.name;
    org.input.value = view.respondent.organisation;
    role.input.value = view.respondent.role || "";
    const byId = Object.fromEntries((view.answers || []).map((a) => [a.statement, a]));
    for (const fs of statements) fs.write(byId[fs.dataset.statement]);
    describe(view);
    if (view.status === "submitted") lock();
    showRadar();
  }

  async function saveDraft() {
    const b = body();
    const view = current ? await Assessments.change(current.id, b) : await Assessments.create(b);
    current = view;
    if (location.hash !== `#/assessment/${encodeURIComponent(view.id)}`) history.replaceState(null, "", `#/assessment/${encodeURIComponent(view.id)}`);
    describe(view);
    return view;
  }

  const fail = (err) => {
    const errors = err.errors?.length ? err.errors : [{ field: "", fault: problemText(err) }];
    const missing = errors.filter((e) => /^answers\.A4-\d+\.rating$/.test(e.field || "")).length;
    const target = showErrors(form, errors, {
      summaryTitle: missing ? `${missing} statement${missing === 1 ? " is" : "s are"} not answered yet` : "There is a problem",
      message: missing ? "Choose Always, Sometimes or Never for each of these before submitting. Your answers so far are saved as a draft." : null,
    });
    target?.focus?.();
  };

  save.addEventListener("click", async () => {
    clearErrors(form);
    save.disabled = true;
    try {
      await saveDraft();
      ctx.announce(state.textContent);
      showRadar();
    } catch (err) {
      fail(err);
    } finally {
      save.disabled = false;
    }
  });

  const summaryBox = errorSummary();
  summaryBox.dataset.testid = "as-errors";
  const form = h(
    "form.wb-form.wb-assessment",
    {
      novalidate: true,
      "aria-label": "Self-assessment",
      "data-testid": "assessment-form",
      onsubmit: async (ev) => {
        ev.preventDefault();
        clearErrors(form);
        submit.disabled = true;
        try {
          await saveDraft();
          const view = await Assessments.submit(current.id);
          load(view);
          ctx.announce("The assessment is submitted.");
        } catch (err) {
          fail(err);
          if (current) showRadar();
        } finally {
          if (current?.status !== "submitted") submit.disabled = false;
        }
      },
    },
    summaryBox,
    h("fieldset.group", h("legend", "Who is answering, for which partnership and year"), h("div.grid-2", partnership, year, name, org, role)),
    h("h2.section-title", "The 16 statements"),
    h("p.muted", `${checklist.section}. ${checklist.document}. Answer each: Always, Sometimes or Never.`),
    statements,
    h("div.form-actions", save, submit, state),
    datalist,
  );
  if (existing) load(existing);
  return h("div", form, radarSlot);
}

function comparisonSection() {
  const partnership = field({ label: "Partnership", name: "cmp-partnership", path: "partnership", testid: "cmp-partnership", list: "wb-partnerships" });
  const years = field({ label: "Years to compare", name: "cmp-years", path: "years", testid: "cmp-years", hint: "Comma-separated, e.g. 2022,2023" });
  const year = field({ label: "Year for respondents", name: "cmp-year", path: "year", testid: "cmp-year", inputmode: "numeric", value: String(new Date().getFullYear()) });
  const drafts = checkbox({ label: "Include drafts", name: "cmp-drafts", testid: "cmp-drafts" });
  const result = h("div", { "aria-live": "polite", "data-testid": "cmp-result" });
  const byYears = h("button.btn.btn-secondary", { type: "button", "data-testid": "cmp-years-run" }, "Compare year on year");
  const byPeople = h("button.btn.btn-secondary", { type: "button", "data-testid": "cmp-respondents-run" }, "Compare respondents");
  const form = h("form.wb-form", { novalidate: true, "aria-label": "Compare assessments", onsubmit: (ev) => ev.preventDefault() },
    errorSummary(), h("div.wb-inline-fields", partnership, years, year, h("div.field.wb-field-button", drafts)), h("div.wb-filter-actions", byYears, byPeople));

  async function run(kind) {
    clearErrors(form);
    const params = { partnership: partnership.input.value.trim(), drafts: drafts.input.checked ? "true" : undefined };
    if (kind === "years") params.years = years.input.value.replace(/\s+/g, "");
    else params.year = year.input.value.trim();
    replaceChildren(result, loading());
    try {
      const radarBox = h("div.wb-radar-box");
      if (kind === "years") {
        const cmp = await Assessments.years(params);
        replaceChildren(result,
          table({
            caption: `${cmp.partnership}: mean points per statement by year (Always 2, Sometimes 1, Never 0)`,
            testid: "cmp-years-table",
            headers: ["Statement", ...cmp.years.map((y) => ({ text: String(y.year), num: true })), "Change"],
            rows: cmp.statements.map((s) => [`${s.statement} ${s.label}`, ...s.scores.map((v) => ({ value: v === null ? "—" : v.toFixed(2), num: true })), TREND[s.trend] || s.trend]),
          }),
          h("figure.chart", h("figcaption.chart-title", "Year on year"), radarBox));
        insertSvg(radarBox, await Assessments.yearsRadar(params), "cmp-radar");
      } else {
        const cmp = await Assessments.respondents(params);
        replaceChildren(result,
          h("p", `${cmp.respondents.length} respondent${cmp.respondents.length === 1 ? "" : "s"}: ${cmp.respondents.map((r) => `${r.respondent.name} (${r.respondent.organisation})`).join(", ") || "none"}.`),
          table({
            caption: `${cmp.partnership}, ${cmp.year}: answers per statement across respondents`,
            testid: "cmp-respondents-table",
            headers: ["Statement", { text: "Always", num: true }, { text: "Sometimes", num: true }, { text: "Never", num: true }, { text: "Spread", num: true }, "Agreement"],
            rows: cmp.statements.map((s) => [`${s.statement} ${s.label}`, { value: String(s.counts.always), num: true }, { value: String(s.counts.sometimes), num: true },
              { value: String(s.counts.never), num: true }, { value: s.spread === null ? "—" : String(s.spread), num: true }, AGREEMENT[s.agreement] || s.agreement]),
          }),
          h("figure.chart", h("figcaption.chart-title", "Across respondents"), radarBox));
        if (cmp.respondents.length) insertSvg(radarBox, await Assessments.respondentsRadar(params), "cmp-radar");
        else replaceChildren(radarBox, h("p.muted", "No assessments to chart."));
      }
    } catch (err) {
      replaceChildren(result);
      showErrors(form, err.errors?.length ? err.errors.map((e) => ({ ...e, field: (e.field || "").replace(/^query\./, "") })) : [{ field: "", fault: problemText(err) }]).focus?.();
    }
  }
  byYears.addEventListener("click", () => run("years"));
  byPeople.addEventListener("click", () => run("respondents"));
  return section("Compare", { testid: "comparisons", lede: "Only submitted assessments are compared unless drafts are included." }, form, result);
}

function listSection(list) {
  return section("Assessments so far", { testid: "assessment-list" },
    list.length
      ? table({
          caption: "Self-assessments by partnership, year and respondent",
          captionHidden: true,
          testid: "assessments-table",
          headers: ["Partnership", { text: "Year", num: true }, "Respondent", "Status", { text: "Answered", num: true }, { text: "Score", num: true }],
          rows: list.map((a) => [h("a", { href: `#/assessment/${encodeURIComponent(a.id)}` }, a.partnership), { value: String(a.year), num: true },
            `${a.respondent.name}, ${a.respondent.organisation}`, a.status === "submitted" ? "\u2714 Submitted" : "\u270E Draft",
            { value: `${a.answered} / 16`, num: true }, { value: a.percentage === null ? "—" : `${a.percentage}%`, num: true }]),
        })
      : h("p.muted", "None yet."),
    h("p", h("a", { href: "#/assessment/new" }, "Start a new assessment")));
}

export function mountAssessment(container, ctx, { path }) {
  const id = path[0] && path[0] !== "new" ? path[0] : null;
  replaceChildren(container, viewHead("Self-assessment"), loading());
  let alive = true;
  Promise.all([Assessments.checklist(), Register.workstreams().catch(() => []), Assessments.list(), id ? Assessments.get(id) : null])
    .then(([checklist, streams, list, existing]) => {
      if (!alive) return;
      replaceChildren(
        container,
        viewHead("Self-assessment", h("p.view-count", "Audit Wales checklist, Appendix 4 (recommendation R9)")),
        h("div.wb-columns", h("div.wb-col", listSection(list)), h("div.wb-col", comparisonSection())),
        section(existing ? `${existing.partnership}, ${existing.year}: ${existing.respondent.name}` : "New assessment", { testid: "assessment" },
          assessmentForm(ctx, checklist, streams, existing)),
      );
    })
    .catch((err) => {
      if (alive) replaceChildren(container, viewHead("Self-assessment"), errorPanel(err, "The self-assessment could not be loaded"));
    });
  return {
    unmount() {
      alive = false;
    },
  };
}

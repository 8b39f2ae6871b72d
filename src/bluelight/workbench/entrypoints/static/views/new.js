// Add a collaboration to the register. The API checks everything; its field errors are
// shown next to the fields (partners[1].organisation, status_reason, target_date...).

import { Register } from "../api.js";
import { h, replaceChildren } from "/console/dom.js";
import { field, errorSummary, showErrors, clearErrors } from "/console/forms.js";
import { CATEGORY, STATUS, SERVICE } from "../labels.js";
import { viewHead, options, setOptions, problemText, collabHref } from "../ui.js";

const SERVICE_OPTIONS = options(SERVICE, "Choose a service");

export function mountNewCollaboration(container, ctx) {
  const title = field({ label: "Title", name: "title", path: "title", testid: "new-title", required: true });
  const area = field({ label: "Area", name: "area", path: "area", testid: "new-area", required: true, list: "wb-areas",
    hint: "A force area, region or nation, e.g. Cheshire or Wales (South)" });
  const areas = h("datalist#wb-areas");
  const category = field({ label: "Category", name: "category", path: "category", control: "select", testid: "new-category", options: options(CATEGORY) });
  const description = field({ label: "Description", name: "description", path: "description", control: "textarea", testid: "new-description", rows: 4, wide: true });
  const status = field({ label: "Status", name: "status", path: "status", control: "select", testid: "new-status", options: options(STATUS), value: "idea" });
  const reason = field({ label: "Reason for the status", name: "status_reason", path: "status_reason", testid: "new-status-reason", hint: "Required when rejected" });
  const workstream = field({ label: "Workstream", name: "workstream", path: "workstream", control: "select", testid: "new-workstream", options: [["", "None"]] });
  const start = field({ label: "Start date", name: "start_date", path: "start_date", testid: "new-start", hint: "YYYY, YYYY-MM or YYYY-MM-DD" });
  const target = field({ label: "Target date", name: "target_date", path: "target_date", testid: "new-target", hint: "YYYY, YYYY-MM or YYYY-MM-DD" });

  const partnerRows = h("div.wb-partner-rows");
  const partnersGroup = h("fieldset.group", { "data-path": "partners" }, h("legend", "Partner organisations"), partnerRows);
  const addPartner = () => {
    const i = partnerRows.children.length;
    const org = field({ label: `Partner ${i + 1}: organisation`, name: `partner-org-${i}`, path: `partners[${i}].organisation`, testid: `new-partner-org-${i}` });
    const svc = field({ label: `Partner ${i + 1}: service`, name: `partner-svc-${i}`, path: `partners[${i}].service`, control: "select", testid: `new-partner-service-${i}`, options: SERVICE_OPTIONS });
    partnerRows.append(h("div.grid-2", org, svc));
  };
  addPartner();
  addPartner();
  partnersGroup.append(h("button.btn.btn-secondary.btn-small", { type: "button", onclick: addPartner }, "Add another partner"));

  const leadName = field({ label: "Lead's name", name: "lead-name", path: "people[0].name", testid: "new-lead-name" });
  const leadRole = field({ label: "Lead's role", name: "lead-role", path: "people[0].role", testid: "new-lead-role" });
  const leadEmail = field({ label: "Lead's email", name: "lead-email", path: "people[0].email", testid: "new-lead-email", type: "email" });
  const leadPhone = field({ label: "Lead's phone", name: "lead-phone", path: "people[0].phone", testid: "new-lead-phone", type: "tel" });
  const leadGroup = h("fieldset.group", { "data-path": "people" }, h("legend", "Project lead"), h("div.grid-2", leadName, leadRole, leadEmail, leadPhone));

  const button = h("button.btn.btn-primary", { type: "submit", "data-testid": "new-submit" }, "Add to the register");
  const form = h(
    "form.wb-form",
    {
      novalidate: true,
      "data-testid": "new-form",
      "aria-label": "Add a collaboration",
      onsubmit: async (ev) => {
        ev.preventDefault();
        clearErrors(form);
        const body = {
          title: title.input.value.trim(),
          area: area.input.value.trim(),
          category: category.input.value,
          description: description.input.value.trim(),
          status: status.input.value,
        };
        const opt = { status_reason: reason, workstream, start_date: start, target_date: target };
        for (const [k, f] of Object.entries(opt)) if (f.input.value.trim()) body[k] = f.input.value.trim();
        const partners = [];
        for (const row of partnerRows.children) {
          const [org, svc] = row.querySelectorAll("input, select");
          if (org.value.trim() || svc.value) partners.push({ organisation: org.value.trim(), service: svc.value });
        }
        body.partners = partners;
        if (leadName.input.value.trim() || leadRole.input.value.trim()) {
          const lead = { name: leadName.input.value.trim(), role: leadRole.input.value.trim(), lead: true };
          if (leadEmail.input.value.trim()) lead.email = leadEmail.input.value.trim();
          if (leadPhone.input.value.trim()) lead.phone = leadPhone.input.value.trim();
          body.people = [lead];
        }
        // A partner without a service cannot be sent; say so where it happened.
        const missing = partners.map((p, i) => (!p.service ? { field: `partners[${i}].service`, fault: "choose a service" } : null)).filter(Boolean);
        if (missing.length) {
          showErrors(form, missing).focus?.();
          return;
        }
        button.disabled = true;
        try {
          const created = await Register.create(body);
          ctx.announce(`Added ${created.title} to the register.`);
          location.hash = collabHref(created.id);
        } catch (err) {
          const errors = err.errors && err.errors.length ? err.errors : [{ field: "", fault: problemText(err) }];
          showErrors(form, errors).focus?.();
        } finally {
          button.disabled = false;
        }
      },
    },
    errorSummary(),
    h("div.grid-2", title, area, category, workstream, status, reason, start, target),
    description,
    partnersGroup,
    leadGroup,
    h("div.form-actions", button, h("a", { href: "#/register" }, "Cancel")),
  );

  replaceChildren(container, h("p.backlink", h("a", { href: "#/register" }, "\u2190 Register")), viewHead("Add a collaboration"), form, areas);

  Promise.all([Register.areas(), Register.workstreams()])
    .then(([list, streams]) => {
      replaceChildren(areas, list.map((a) => h("option", { value: a.area })));
      setOptions(workstream.input, [["", "None"], ...streams.map((w) => [w.id, w.name])], "");
    })
    .catch(() => {});
  return {};
}

// Small progressive enhancement: everything works without it.
// Submitting the language switcher or a filter select applies at once.
document.addEventListener("DOMContentLoaded", () => {
  const lang = document.getElementById("lang-select");
  if (lang) lang.addEventListener("change", () => lang.form.submit());
});

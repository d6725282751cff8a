/* formwright form script: progressive enhancement of a form that works without it.
   No framework, no storage of any kind (no cookies, localStorage or sessionStorage).
   The condition evaluator follows compiler/language/evaluate.py rule for rule; the test
   suite runs both on the same cases. */
(function (root) {
  "use strict";

  // ---- the condition evaluator (shared with Node for the parity tests) ----
  function isNumber(v) { return typeof v === "number" && isFinite(v); }
  function answered(v) { return v !== undefined && v !== null && v !== "" && !(Array.isArray(v) && v.length === 0); }
  function same(a, b) { return isNumber(a) && isNumber(b) ? a === b : typeof a === typeof b && a === b; }
  function operand(v, today) {
    if (v !== null && typeof v === "object") return "today" in v ? today : v.date;
    return v;
  }
  function compare(op, a, b) {
    var date = /^\d{4}(-\d{2}(-\d{2})?)?$/;
    if (typeof a === "string" && typeof b === "string" && a.length !== b.length && date.test(a) && date.test(b)) {
      var size = Math.min(a.length, b.length); // dates of different precision compare at the coarser
      a = a.slice(0, size);
      b = b.slice(0, size);
    }
    if (op === "==") return same(a, b);
    if (op === "!=") return !same(a, b);
    if (!((isNumber(a) && isNumber(b)) || (typeof a === "string" && typeof b === "string"))) return false;
    if (op === "<") return a < b;
    if (op === "<=") return a <= b;
    if (op === ">") return a > b;
    return a >= b;
  }
  function evaluate(node, answers, today) {
    if ("and" in node) return node.and.every(function (n) { return evaluate(n, answers, today); });
    if ("or" in node) return node.or.some(function (n) { return evaluate(n, answers, today); });
    if ("not" in node) return !evaluate(node.not, answers, today);
    /*expr{*/if (!("field" in node)) return test(node, answers, today);
    /*}expr*/var answer = Object.prototype.hasOwnProperty.call(answers, node.field) ? answers[node.field] : undefined;
    if (!answered(answer)) return false;
    if (node.op === "answered") return true;
    if (node.op === "contains") {
      var target = operand(node.value, today);
      return Array.isArray(answer) && answer.some(function (a) { return same(a, target); });
    }
    if (node.op === "in" || node.op === "not in") {
      var found = node.values.some(function (v) { return compare("==", answer, operand(v, today)); });
      return node.op === "in" ? found : !found;
    }
    return compare(node.op, answer, operand(node.value, today));
  }
  /*expr{*/
  // ---- general expressions: arithmetic, functions, tests between any two values ----
  // Numbers are exact fractions (BigInt, lowest terms, d > 0), as in numbers.py, so that
  // 0.1 + 0.2 == 0.3 here exactly when the endpoint says so. BigInt is only ever called
  // (no 0n literals) and only when an expression runs: an old browser still parses this.
  var big = typeof BigInt === "function", ZERO = big && BigInt(0), ONE = big && BigInt(1), TEN = big && BigInt(10);
  function Q(n, d) {
    if (d < ZERO) { n = -n; d = -d; }
    for (var a = n < ZERO ? -n : n, b = d, t; b; t = a % b, a = b, b = t);
    this.n = n / a;
    this.d = d / a;
  }
  function num(v) { return v instanceof Q; }
  function add(a, b) { return new Q(a.n * b.d + b.n * a.d, a.d * b.d); }
  function mul(a, b) { return new Q(a.n * b.n, a.d * b.d); }
  function cmp(a, b) { var x = a.n * b.d, y = b.n * a.d; return x < y ? -1 : x > y ? 1 : 0; }
  function pow10(k) { for (var r = ONE; k > ZERO; k -= ONE) r *= TEN; return r; }
  // a JSON number is the shortest decimal that prints as it (String here, repr in Python)
  function exact(x) {
    if (typeof x !== "number") return x;
    var m = /^(-?\d+)(?:\.(\d+))?(?:e([-+]\d+))?$/.exec(String(x)), f = m[2] || "", e = BigInt(Number(m[3] || 0) - f.length);
    return e < ZERO ? new Q(BigInt(m[1] + f), pow10(-e)) : new Q(BigInt(m[1] + f) * pow10(e), ONE);
  }
  function round(x, places) { // half away from zero; places is a BigInt, negative for tens
    var s = pow10(places < ZERO ? -places : places), up = places >= ZERO;
    var t = add(mul(new Q(x.n < ZERO ? -x.n : x.n, x.d), up ? new Q(s, ONE) : new Q(ONE, s)), new Q(ONE, BigInt(2)));
    var w = t.n / t.d;
    if (x.n < ZERO) w = -w;
    return up ? new Q(w, s) : new Q(w * s, ONE);
  }
  // what a calculated value is stored as: 10 places, then the float nearest that decimal
  function stored(v) {
    if (!num(v)) return v;
    var r = round(v, BigInt(10)), a = r.n < ZERO ? -r.n : r.n;
    if (a > pow10(BigInt(308)) * r.d) return null; // beyond what a JSON number holds, as numbers.py
    if (r.d === ONE && a < BigInt(9007199254740992)) return Number(r.n);
    return Number((r.n < ZERO ? "-" : "") + a * pow10(BigInt(10)) / r.d + "e-10");
  }
  function equal(a, b) {
    if (num(a) && num(b)) return cmp(a, b) === 0;
    if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every(function (x, i) { return equal(x, b[i]); });
    return a === b;
  }
  // Python orders text by code point, JavaScript by UTF-16 unit: this remap of the units
  // (same length, ASCII unchanged) makes the second order the first
  function units(s) {
    return s.replace(/[\ud800-\uffff]/g, function (c) { return String.fromCharCode(c.charCodeAt(0) + (c < "\ue000" ? 0x2000 : -0x800)); });
  }
  function order(op, a, b) {
    if (num(a) && num(b)) { a = cmp(a, b); b = 0; }
    else if (Array.isArray(a) && Array.isArray(b)) { a = equal(a, b); b = true; }
    else if (typeof a === "string" && typeof b === "string") { a = units(a); b = units(b); }
    return compare(op, a, b);
  }
  function test(node, answers, today) {
    var val = function (v) { return value(v, answers, today); }, op = node.op;
    if (op === "is") return val(node.value) === true;
    var a = val(node.left), b;
    if (a === null) return false;
    if (op === "contains") {
      b = val(node.value);
      return Array.isArray(a) && a.some(function (x) { return equal(x, b); });
    }
    if (op === "in" || op === "not in") {
      var found = node.values.some(function (v) { return order("==", a, val(v)); }); // a is never null, so null is never equal
      return op === "in" ? found : !found;
    }
    b = val("right" in node ? node.right : node.value);
    return b !== null && order(op, a, b);
  }
  // a value: a Q, text (dates are text), a list, true/false, or null for no value
  function value(node, answers, today) {
    if (node === null || typeof node !== "object") return node === undefined ? null : exact(node);
    if ("ref" in node) {
      var got = Object.prototype.hasOwnProperty.call(answers, node.ref) ? answers[node.ref] : undefined;
      return !answered(got) ? null : Array.isArray(got) ? got.map(exact) : exact(got);
    }
    if ("today" in node || "date" in node) return operand(node, today);
    if ("fn" in node) return call(node.fn, node.args, answers, today);
    return evaluate(node, answers, today);
  }
  // a date of any precision at its first day (numbers.as_date), t its day number
  function day(s) {
    var m = typeof s === "string" && /^(\d{4})(?:-(\d\d)(?:-(\d\d))?)?$/.exec(s);
    if (!m) return null;
    var y = +m[1], mo = +(m[2] || 1), d = +(m[3] || 1), z = mo < 3 ? y - 1 : y;
    var leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
    if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > (mo === 2 ? 28 + leap : 31 - (mo - 1) % 7 % 2)) return null;
    // days from the civil date, the year counted from March (so leap days end it)
    return { y: y, m: mo, d: d, t: 365 * z + Math.floor(z / 4) - Math.floor(z / 100) + Math.floor(z / 400) + Math.floor((153 * ((mo + 9) % 12) + 2) / 5) + d };
  }
  function months(a, b) {
    return b.t < a.t ? -months(b, a) : (b.y - a.y) * 12 + b.m - a.m - (b.d < a.d ? 1 : 0);
  }
  function call(fn, args, answers, today) {
    var val = function (v) { return value(v, answers, today); };
    if (fn === "if") return val(evaluate(args[0], answers, today) ? args[1] : args[2]);
    if (["sum", "count", "min", "max"].indexOf(fn) >= 0) {
      var found = [], total = 0, min = fn === "min"; // unanswered arguments are skipped
      args.forEach(function (arg) {
        var got = val(arg), all = Array.isArray(got) ? got : got === null ? [] : [got];
        total += all.length;
        found = found.concat(all.filter(num));
      });
      if (fn === "count") return new Q(BigInt(total), ONE);
      if (fn === "sum") return found.reduce(add, new Q(ZERO, ONE));
      return found.length ? found.reduce(function (m, x) { return cmp(x, m) === (min ? -1 : 1) ? x : m; }) : null;
    }
    var got = args.map(val), x = got[0], y = got[1];
    if (fn === "length") return new Q(BigInt(typeof x === "string" ? Array.from(x).length : 0), ONE);
    // the manifest holds the pattern in its portable spelling (compiler/patterns)
    if (fn === "matches") return typeof x === "string" ? new RegExp("^(?:" + y + ")$", "u").test(x) : null;
    if (got.indexOf(null) >= 0) return null;
    if (fn === "neg") return num(x) ? new Q(-x.n, x.d) : null;
    if (["+", "-", "*", "/", "round"].indexOf(fn) >= 0) {
      if (!num(x) || !num(y)) return null;
      if (fn === "+") return add(x, y);
      if (fn === "-") return add(x, new Q(-y.n, y.d));
      if (fn === "*") return mul(x, y);
      if (fn === "/") return y.n === ZERO ? null : mul(x, new Q(y.d, y.n));
      return round(x, y.n / y.d);
    }
    if (["days_between", "months_between", "years_between"].indexOf(fn) >= 0) {
      var a = day(x), b = day(y), m;
      if (!a || !b) return null;
      if (fn === "days_between") return new Q(BigInt(b.t - a.t), ONE);
      m = months(a, b);
      return new Q(BigInt(fn === "months_between" ? m : Math.trunc(m / 12)), ONE);
    }
    throw new Error("unknown function " + fn);
  }
  /*}expr*/if (typeof module === "object" && module.exports) { module.exports = { evaluate: evaluate/*expr{*/, value: value, stored: stored/*}expr*/ }; return; }

  var doc = root.document;

  // ---- quick exit: the button, or Shift pressed three times ----
  var exit = doc.querySelector("[data-fw-exit]");
  if (exit) {
    var leave = function () {
      doc.body.innerHTML = "";
      doc.title = ".";
      root.location.replace(exit.href); // replace: Back does not return here
    };
    var presses = [];
    exit.addEventListener("click", function (e) { e.preventDefault(); leave(); });
    doc.addEventListener("keydown", function (e) {
      if (e.key !== "Shift") { presses = []; return; }
      if (e.repeat) return;
      var now = Date.now();
      presses = presses.filter(function (t) { return now - t < 2000; });
      presses.push(now);
      if (presses.length >= 3) leave();
    });
    // Moves between the survey's own pages replace the page too (the chooser's language
    // links, the error page's "start again"): after an exit, Back finds none of them.
    doc.addEventListener("click", function (e) {
      var a = e.target.closest ? e.target.closest("a[href]") : null, here = root.location;
      if (!a || a === exit || e.defaultPrevented || e.button !== 0 || e.ctrlKey || e.metaKey || e.shiftKey || e.altKey) return;
      if (a.target || a.hasAttribute("download") || a.origin !== here.origin) return;
      if (a.pathname === here.pathname && a.search === here.search) return; // a place on this page
      if (a.closest("[data-fw-intro], [data-fw-question]")) return; // the form's own texts: Back keeps the answers
      e.preventDefault();
      root.location.replace(a.href);
    });
    // The bar's height, which grows where its text wraps: the stylesheet keeps whatever
    // the script or the browser scrolls to below it (scroll-padding).
    var bar = exit.closest(".fw-exit") || exit;
    var measure = function () {
      doc.documentElement.style.setProperty("--fw-exit-size", Math.ceil(bar.getBoundingClientRect().height) + "px");
    };
    measure();
    if (root.ResizeObserver) new root.ResizeObserver(measure).observe(bar); else root.addEventListener("resize", measure);
  }

  var form = doc.querySelector("[data-fw-form]");
  // A page the endpoint sent back after refusing a post holds the answers as sent and
  // every question at once, like the page without JavaScript: it is left as it is.
  if (!form || form.hasAttribute("data-fw-refused")) return;
  /*expr{*/if (typeof BigInt !== "function") return; // a browser too old for exact numbers keeps the plain form/*}expr*/
  // Only what the markup cannot say is in fw-data: conditions, a few limits, messages.
  var data = JSON.parse(doc.getElementById("fw-data").textContent);
  var S = data.strings, lang = doc.documentElement.lang;
  doc.documentElement.classList.add("fw-js");
  form.noValidate = true;

  var rules = null, numbers = null;
  try { rules = new Intl.PluralRules(lang); numbers = new Intl.NumberFormat(lang); } catch (e) { /* old browser */ }
  function fmt(n) { return numbers ? numbers.format(n) : String(n); }
  function msg(key, values, count) {
    var forms = S[key], text = forms.other;
    values = values || {};
    if (count !== undefined) {
      text = (rules && forms[rules.select(count)]) || forms.other;
      values.count = fmt(count);
    }
    return text.replace(/\{(\w+)\}/g, function (m, k) { return k in values ? values[k] : m; });
  }
  function $$(sel, el) { return Array.prototype.slice.call((el || doc).querySelectorAll(sel)); }
  function box(q) { return doc.getElementById("q-" + q.id); }
  function field(name) { return $$("[name]", form).filter(function (el) { return el.name === name; }); }
  function pad(v, n) { v = String(v).trim(); while (v.length < n) v = "0" + v; return v; }
  function todayISO() {
    var d = new Date();
    return d.getFullYear() + "-" + pad(d.getMonth() + 1, 2) + "-" + pad(d.getDate(), 2);
  }
  function codeOf(q, value) {
    if (q.codes.indexOf(value) < 0) return undefined;
    // whole-number codes are numbers in the data, unless written quoted (text_codes)
    return /^-?[0-9]+$/.test(value) && (q.text_codes || []).indexOf(value) < 0 ? Number(value) : value;
  }
  function hidden(name) { return form.querySelector("input[name=" + name + "]").value; }
  // ids are keys: `constructor` is a valid id, and must not find Object's own
  function own(map, key) { return Object.prototype.hasOwnProperty.call(map, key) ? map[key] : undefined; }

  // ---- each question as the markup describes it ----
  function question(el) {
    var id = el.getAttribute("data-fw-question"), q = own(data.questions, id) || {};
    var items = $$(".fw-matrix__item", el).map(function (fs) { return fs.querySelector("input"); });
    var main = items[0] || field(id)[0];
    var attr = function (name) { return main.hasAttribute(name) ? Number(main.getAttribute(name)) : undefined; };
    q.id = id;
    q.type = /fw-question--(\w+)/.exec(el.className)[1];
    q.required = q.required || !!el.querySelector("[required]");
    q.items = items.map(function (i) { return i.name.slice(id.length + 1); });
    if (main && /radio|checkbox/.test(main.type)) {
      var options = field(main.name);
      q.codes = options.map(function (o) { return o.value; });
      q.exclusive = options.filter(function (o) { return o.hasAttribute("data-fw-exclusive"); })
        .map(function (o) { return codeOf(q, o.value); });
    } else if (main) {
      q.integer = main.step === "1";
      q.min = attr("min");
      q.max = attr("max");
      q.max_length = attr("maxlength");
    }
    /*date{*/if (q.type === "date") q.precision = field(id + ":day").length ? "day" : field(id + ":month").length ? "month" : "year";/*}date*/
    return q;
  }

  // ---- reading answers from the form ----
  // Block comments "name{" and "}name" mark what only forms with that feature need;
  // the build drops the parts a questionnaire does not use (compiler/render/assets.py).
  /*date{*/function dateValue(q) {
    var parts = { year: "", month: "01", day: "01" }, size = { year: 4, month: 7, day: 10 }[q.precision];
    var filled = 0, total = 0;
    ["day", "month", "year"].forEach(function (p) {
      var el = field(q.id + ":" + p)[0];
      if (!el) return;
      total++;
      if (el.value.trim()) { filled++; parts[p] = el.value; }
    });
    if (filled === 0) return undefined;
    if (filled < total || !/^\d{1,4}$/.test(parts.year.trim()) || !/^\d{1,2}$/.test(parts.month.trim()) ||
        !/^\d{1,2}$/.test(parts.day.trim())) return null;
    var y = +parts.year, m = +parts.month, d = +parts.day, dt = new Date(Date.UTC(y, m - 1, d));
    if (y < 1000 || dt.getUTCFullYear() !== y || dt.getUTCMonth() !== m - 1 || dt.getUTCDate() !== d) return null;
    return (pad(y, 4) + "-" + pad(m, 2) + "-" + pad(d, 2)).slice(0, size);
  }/*}date*/
  function read(q, into) {
    var checked = function (name) { return field(name).filter(function (el) { return el.checked; }); };
    if (q.type === "single" || q.type === "scale") {
      var c = checked(q.id)[0];
      if (c) into[q.id] = codeOf(q, c.value);
    } else if (q.type === "multiple") {
      var list = checked(q.id).map(function (el) { return codeOf(q, el.value); });
      if (list.length) into[q.id] = list;
    } else if (q.type === "matrix") {
      q.items.forEach(function (item) {
        var c2 = checked(q.id + "." + item)[0];
        if (c2) into[q.id + "." + item] = codeOf(q, c2.value);
      });
    } else if (q.type === "number") {
      var raw = (field(q.id)[0] || {}).value;
      if (raw && raw.trim() !== "" && isFinite(Number(raw))) into[q.id] = Number(raw);
    /*date{*/} else if (q.type === "date") {
      var dv = dateValue(q);
      if (dv) into[q.id] = dv;
    /*}date*/} else if (q.type !== "statement") {
      var text = (field(q.id)[0] || {}).value || "";
      if (text.trim()) into[q.id] = text;
    }
    $$(".fw-specify input", box(q)).forEach(function (el) {
      var opt = doc.getElementById(el.id.replace(/--specify$/, ""));
      if (opt && opt.checked && el.value.trim()) into[el.name] = el.value;
    });
  }

  // ---- conditions: show what applies, clear and disable what does not ----
  var byId = Object.create(null), questions = $$("[data-fw-question]", form).map(question);
  questions.forEach(function (q) { byId[q.id] = q; });
  var pages = $$("[data-fw-page]", form).map(function (section) {
    var id = section.getAttribute("data-fw-page");
    return { id: id, condition: own(data.pages, id), questions: $$("[data-fw-question], [data-fw-calc]", section).map(function (el) {
      /*v2{*/if (el.hasAttribute("data-fw-calc")) return { calc: el.getAttribute("data-fw-calc") };/*}v2*/
      return byId[el.getAttribute("data-fw-question")];
    }) };
  });
  var pageShown = Object.create(null), lastAcc = {};
  /*v2{*/
  // Values from the page's address, only those the questionnaire lists (never free text).
  var given = {}, search = root.URLSearchParams ? new root.URLSearchParams(root.location.search) : null;
  Object.keys(data.hidden || {}).forEach(function (name) {
    var v = search && search.get(name);
    if (v !== null && data.hidden[name].indexOf(v) >= 0) given[name] = v;
  });
  function calculate(id, acc, today) {
    var c = data.calcs[id], v = stored(value(c.value, acc, today));
    if (v === null || v === undefined) return;
    acc[id] = v;
    (c.bands || []).some(function (b, n) { return v >= b[0] && v <= b[1] && (acc[id + ".band"] = n + 1); });
  }
  function groupOn(q, acc, today, seen, pageOn) {
    var g = box(q).parentNode.getAttribute("data-fw-group");
    if (!g) return pageOn;
    if (!(g in seen)) {
      var cond = own(data.groups || {}, g);
      seen[g] = pageOn && (!cond || evaluate(cond, acc, today));
      box(q).parentNode.hidden = !seen[g];
    }
    return seen[g];
  }
  /*}v2*/
  function apply() {
    var acc = lastAcc = {}, today = todayISO(), seen = {};
    /*v2{*/Object.keys(given).forEach(function (k) { acc[k] = given[k]; });/*}v2*/
    pages.forEach(function (p) {
      var pageOn = !p.condition || evaluate(p.condition, acc, today);
      pageShown[p.id] = pageOn;
      p.questions.forEach(function (q) {
        /*v2{*/if (q.calc) return calculate(q.calc, acc, today);/*}v2*/
        var el = box(q), on = pageOn;
        /*v2{*/on = groupOn(q, acc, today, seen, pageOn);/*}v2*/
        on = on && (!q.condition || evaluate(q.condition, acc, today));
        if (!on && !el.hidden) {
          $$("input, textarea", el).forEach(function (i) {
            if (i.type === "radio" || i.type === "checkbox") i.checked = false; else i.value = "";
          });
        }
        el.hidden = !on;
        $$("input, textarea", el).forEach(function (i) { i.disabled = !on; });
        if (on) read(q, acc);
      });
    });
    $$("[data-fw-specify]").forEach(function (s) {
      var opt = doc.getElementById(s.getAttribute("data-fw-specify"));
      if (opt.checked) s.removeAttribute("data-fw-closed"); else s.setAttribute("data-fw-closed", "");
    });
    /*v2{*/pipe(acc);/*}v2*/
    return acc;
  }
  /*v2{*/
  // ---- piping: earlier answers into later texts, as text (never markup) ----
  var pipes = $$("[data-fw-pipe]").map(function (el) {
    return { el: el, name: el.getAttribute("data-fw-pipe"), fallback: el.textContent, forms: JSON.parse(el.getAttribute("data-fw-plural") || "null") };
  });
  function labelOf(name, code) {
    var input = field(name).filter(function (i) { return i.value === String(code); })[0], l = input && input.labels && input.labels[0];
    return l ? l.textContent.trim() : String(code);
  }
  function shown(name, acc) {
    var v = acc[name], base = name.split(".")[0], q = byId[base], c = own(data.calcs || {}, base);
    if (!answered(v)) return null;
    if (c && /\.band$/.test(name)) return c.bands[v - 1][2];
    if (typeof v === "number") return fmt(v);
    if (q && q.codes) return (Array.isArray(v) ? v : [v]).map(function (x) { return labelOf(name, x); }).join(", ");
    /*date{*/if (q && q.type === "date" && root.Intl) {
      var parts = v.split("-"), opts = { year: "numeric" };
      if (parts[1]) opts.month = "long";
      if (parts[2]) opts.day = "numeric";
      return new Intl.DateTimeFormat(lang, opts).format(new Date(Date.UTC(+parts[0], (+parts[1] || 1) - 1, +parts[2] || 1, 12)));
    }/*}date*/
    return typeof v === "string" ? v : null;
  }
  function pipe(acc) {
    pipes.forEach(function (p) {
      var text = shown(p.name, acc);
      p.el.textContent = text === null ? p.fallback : words(p.forms, acc[p.name], text);
    });
  }
  function words(forms, n, text) {
    // a number's words by the language's CLDR plural rules: "1 night", "2 nights"
    return forms && typeof n === "number" ? (own(forms, rules ? rules.select(n) : "other") || forms.other || "#").replace(/#/g, text) : text;
  }
  function piped(text, acc) {
    return text.replace(/\{([a-z][a-z0-9_]*(?:\.[A-Za-z0-9_-]+)?)(?:\|([^{}\n]*))?\}/g, function (m, name, rest) {
      var v = shown(name, acc), parts = rest === undefined ? ["…"] : rest.split("|"), forms = null;
      parts.slice(1).forEach(function (f) {
        var c = /^\s*(zero|one|two|few|many|other)\s*:\s?([\s\S]*)$/.exec(f);
        if (c) (forms = forms || {})[c[1]] = c[2];
      });
      return v === null ? parts[0] : words(forms, acc[name], v);
    });
  }
  // A rule is checked once every answer it names outside sum(), count(), min(), max(),
  // length() and answered() is given (the endpoint's rule: collect/answers.py).
  function needs(node, out) {
    if (node === null || typeof node !== "object") return out;
    if (Array.isArray(node)) { node.forEach(function (n) { needs(n, out); }); return out; }
    if (node.op === "answered" || /^(sum|count|min|max|length)$/.test(node.fn)) return out;
    if ("field" in node) out.push(node.field);
    if ("ref" in node) out.push(node.ref);
    Object.keys(node).forEach(function (k) { if (k !== "field" && k !== "ref") needs(node[k], out); });
    return out;
  }
  function broken(rules, acc, add) {
    var today = todayISO();
    (rules || []).forEach(function (r) {
      var ready = needs(r.must, []).every(function (f) { return answered(acc[f]); });
      if (ready && !evaluate(r.must, acc, today)) add(piped(r.message, acc));
    });
  }
  /*}v2*/

  // ---- pages ----
  var sections = $$("[data-fw-page]"), intro = doc.querySelector("[data-fw-intro]");
  var submitBox = doc.querySelector("[data-fw-submit]"), summary = doc.querySelector("[data-fw-summary]");
  var baseTitle = doc.title, current = 0, errorShown = false;
  function visible() { return sections.filter(function (s) { return pageShown[s.getAttribute("data-fw-page")]; }); }
  function show(section, focus) {
    apply();
    var list = visible(), n = list.indexOf(section);
    sections.forEach(function (s) { s.hidden = s !== section; });
    var pageText = msg("page_of", { page: fmt(n + 1), pages: fmt(list.length) });
    $$("[data-fw-progress]").forEach(function (p) { p.textContent = p.parentNode.parentNode === section ? pageText + " " : ""; });
    var nav = section.querySelector("[data-fw-nav]");
    nav.hidden = false;
    nav.querySelector("[data-fw-back]").hidden = n === 0;
    nav.querySelector("[data-fw-next]").hidden = n === list.length - 1;
    submitBox.hidden = n !== list.length - 1;
    if (intro) intro.hidden = n !== 0;
    current = sections.indexOf(section);
    var heading = section.querySelector(".fw-page__title");
    var headingText = heading.textContent.slice(heading.firstChild.textContent.length).trim();
    doc.title = (errorShown ? S.error_prefix.other + " " : "") + pageText + " – " + headingText + " – " + baseTitle;
    // scrolled to its start, below the Exit bar (the stylesheet's scroll-padding)
    if (focus) { heading.focus({ preventScroll: true }); heading.scrollIntoView(); }
  }
  function step(delta) {
    apply();
    var list = visible(), n = list.indexOf(sections[current]);
    var target = list[Math.max(0, Math.min(list.length - 1, n + delta))];
    if (target) show(target, true);
  }

  // ---- validation and the error summary ----
  function textOf(el) {
    var copy = el.cloneNode(true);
    $$(".fw-status", copy).forEach(function (s) { s.remove(); });
    return copy.textContent.trim();
  }
  function validate(q, errors) {
    var el = box(q), legend = el.querySelector("legend, .fw-label--question");
    var name = legend ? textOf(legend) : "", a = {};
    read(q, a);
    var add = function (message, target, errId) { errors.push({ q: q, text: message, target: target, err: errId || "err-" + q.id }); };
    var first = el.querySelector("input, textarea"), before = errors.length;
    if (q.type === "matrix") {
      q.items.forEach(function (item) {
        if (q.required && !answered(a[q.id + "." + item])) {
          var fs = doc.getElementById("f-" + q.id + "--" + item);
          add(qmsg(q, "err_required_choice", { question: name + " — " + textOf(fs.querySelector("legend")) }),
              fs.querySelector("input"), "err-" + q.id + "--" + item);
        }
      });
      /*v2{*/
      var some = q.items.some(function (item) { return answered(a[q.id + "." + item]); });
      if (some && errors.length === before) broken(q.rules, lastAcc, function (text) { add(text, first); });
      /*}v2*/
      return;
    }
    var v = a[q.id];
    /*date{*/if (q.type === "date") v = dateValue(q);/*}date*/
    if (q.type === "number") {
      var raw = first.value.trim();
      if (raw !== "" && !isFinite(Number(raw))) return add(qmsg(q, "err_number", { question: name }), first);
    }
    if (!answered(v) && v !== null) {
      if (q.required) add(qmsg(q, q.codes ? "err_required_choice" : "err_required_text", { question: name }), first);
      return;
    }
    if (q.type === "multiple") {
      if (q.max_choices && v.length > q.max_choices) add(qmsg(q, "err_too_many", { question: name }, q.max_choices), first);
      (q.exclusive || []).forEach(function (x) {
        if (v.length > 1 && v.indexOf(x) >= 0) add(qmsg(q, "err_exclusive", { question: name, option: x }), first);
      });
    } else if (q.type === "text" || q.type === "textarea") {
      if (q.max_length && v.length > q.max_length) add(qmsg(q, "err_too_long", { question: name }, q.max_length), first);
    } else if (q.type === "number") {
      if (q.integer && Math.floor(v) !== v) add(qmsg(q, "err_integer", { question: name }), first);
      else if (q.min !== undefined && v < q.min) add(qmsg(q, "err_min", { question: name, min: fmt(q.min) }), first);
      else if (q.max !== undefined && v > q.max) add(qmsg(q, "err_max", { question: name, max: fmt(q.max) }), first);
    /*date{*/} else if (q.type === "date") {
      if (v === null) return add(qmsg(q, "err_date", { question: name }), first);
      var lo = q.min === "today" ? todayISO() : q.min, hi = q.max === "today" ? todayISO() : q.max;
      if (lo && compare("<", v, lo)) add(qmsg(q, "err_date_min", { question: name, date: lo.slice(0, v.length) }), first);
      if (hi && compare(">", v, hi)) add(qmsg(q, "err_date_max", { question: name, date: hi.slice(0, v.length) }), first);
    /*}date*/}
    /*v2{*/
    var pattern = first.getAttribute("pattern");
    if (q.type === "text" && pattern && errors.length === before && !new RegExp("^(?:" + pattern + ")$", "u").test(v.replace(/^[ \t\n\r\f\v]+|[ \t\n\r\f\v]+$/g, ""))) {
      add(qmsg(q, q.format === "postcode-district" ? "err_postcode_district" : "err_pattern", { question: name }), first);
    }
    // as the endpoint: a question's rules once its own answer is valid
    if (errors.length === before) broken(q.rules, lastAcc, function (text) { add(text, first); });
    /*}v2*/
  }
  /*v2{*/
  var KINDS = { err_required_choice: "required", err_required_text: "required", err_number: "number", err_integer: "integer",
    err_min: "min", err_max: "max", err_too_long: "max_length", err_date: "date", err_date_min: "min", err_date_max: "max",
    err_pattern: "pattern", err_postcode_district: "pattern" };
  /*}v2*/
  // The designer's own message for a kind of problem, where there is one.
  function qmsg(q, key, values, count) {
    /*v2{*/var mine = q.messages && own(q.messages, KINDS[key]);
    if (mine) return piped(mine, lastAcc);/*}v2*/
    return msg(key, values, count);
  }
  function clearErrors() {
    $$("[data-fw-error]").forEach(function (p) { p.hidden = true; p.textContent = ""; });
    $$(".fw-question--error").forEach(function (el) { el.classList.remove("fw-question--error"); });
    $$("[aria-invalid]").forEach(function (el) { el.removeAttribute("aria-invalid"); });
    $$("[data-fw-described]").forEach(function (el) {
      var ids = el.getAttribute("aria-describedby").split(" ").filter(function (i) { return i.indexOf("err-") !== 0; });
      if (ids.length) el.setAttribute("aria-describedby", ids.join(" ")); else el.removeAttribute("aria-describedby");
      el.removeAttribute("data-fw-described");
    });
    summary.hidden = true;
    summary.removeAttribute("role");
    errorShown = false;
  }
  function describe(el, id) {
    var ids = (el.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
    if (ids.indexOf(id) < 0) ids.push(id);
    el.setAttribute("aria-describedby", ids.join(" "));
    el.setAttribute("data-fw-described", "");
  }
  // The error summary at the top of the current page, announced and focused.
  function raiseSummary() {
    var section = sections[current];
    section.insertBefore(summary, section.firstChild);
    summary.hidden = false;
    summary.setAttribute("role", "alert");
    errorShown = true;
    show(section, false);
    summary.focus({ preventScroll: true }); // its start in view, however many errors it lists
    summary.scrollIntoView();
  }
  function showErrors(errors) {
    clearErrors();
    if (!errors.length) return false;
    var list = summary.querySelector("[data-fw-summary-list]");
    list.textContent = "";
    errors.forEach(function (e) {
      var p = doc.getElementById(e.err) || doc.getElementById("err-" + e.q.id);
      var prefix = doc.createElement("span");
      prefix.className = "fw-visually-hidden";
      prefix.textContent = S.error_prefix.other + " ";
      p.appendChild(prefix);
      p.appendChild(doc.createTextNode(e.text));
      p.hidden = false;
      box(e.q).classList.add("fw-question--error");
      var owner = p.closest("fieldset") || e.target;
      describe(owner, p.id);
      if (e.target && e.target.type !== "radio" && e.target.type !== "checkbox") e.target.setAttribute("aria-invalid", "true");
      var li = doc.createElement("li"), a = doc.createElement("a");
      a.href = "#" + (e.target ? e.target.id : "q-" + e.q.id);
      a.textContent = e.text;
      a.addEventListener("click", function (ev) {
        ev.preventDefault();
        // the question's start (a matrix row's own), then its field
        ((e.target && e.target.closest(".fw-matrix__item")) || box(e.q)).scrollIntoView();
        if (e.target) e.target.focus();
      });
      li.appendChild(a);
      list.appendChild(li);
    });
    raiseSummary();
    return true;
  }
  function pageErrors(section) {
    apply();
    var errors = [];
    $$("[data-fw-question]", section).forEach(function (el) {
      if (!el.hidden) validate(byId[el.getAttribute("data-fw-question")], errors);
    });
    /*v2{*/
    var pid = section.getAttribute("data-fw-page"), shownHere = $$("[data-fw-question]", section).filter(function (el) { return !el.hidden; });
    (own(data.page_rules || {}, pid) || []).forEach(function (r) {
      broken([r], lastAcc, function (text) {
        // the first question of this page that the rule names, else the page's first
        var named = (JSON.stringify(r.must).match(/"(?:field|ref)":"[^"]*"/g) || []).map(function (f) { return f.split('"')[3].split(".")[0]; });
        var el = shownHere.filter(function (e) { return named.indexOf(e.getAttribute("data-fw-question")) >= 0; })[0] || shownHere[0];
        if (el) { var q = byId[el.getAttribute("data-fw-question")]; errors.push({ q: q, text: text, target: el.querySelector("input, textarea"), err: "err-" + q.id }); }
      });
    });
    /*}v2*/
    return showErrors(errors);
  }

  // ---- submission: fetch with a submission id, or a normal post as fallback ----
  function uuid() {
    if (root.crypto && root.crypto.randomUUID) return root.crypto.randomUUID();
    var b = root.crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }
  var submission = doc.querySelector("[data-fw-submission]");
  submission.value = uuid();
  var sending = false, sendButton = doc.querySelector("[data-fw-send]"), sendLabel = sendButton.textContent;
  // Longer than the endpoint's own deadline (15 s): the respondent sees its answer, not a guess.
  var TIMEOUT = 30000, RETRIES = 3, retries = 0, retryTimer = null, failedWith = null;
  function fallback() { sending = false; HTMLFormElement.prototype.submit.call(form); }
  function idle() { sending = false; sendButton.disabled = false; sendButton.textContent = sendLabel; }
  // A refusal other than invalid answers: one message at the top, the answers kept,
  // and where trying again can help, a button (and, for a while, tries of its own).
  function refused(text, again, link) {
    clearErrors();
    var list = summary.querySelector("[data-fw-summary-list]");
    list.textContent = "";
    [text, S.kept_answers.other].forEach(function (line) {
      var li = doc.createElement("li");
      li.textContent = line;
      list.appendChild(li);
    });
    if (link) {
      var li = doc.createElement("li"), a = doc.createElement("a");
      a.href = link; a.textContent = S.open_current.other;
      li.appendChild(a); list.appendChild(li);
    }
    if (again) {
      var button = doc.createElement("button");
      button.type = "button"; button.className = "fw-button fw-button--secondary";
      button.textContent = S.retry.other;
      button.addEventListener("click", function () { retries = 0; send(); });
      list.appendChild(button);
    }
    raiseSummary();
  }
  function failed(text, retryable, link) {
    idle();
    failedWith = JSON.stringify(apply());
    refused(text, retryable, link);
    if (retryable === "auto" && retries < RETRIES) {
      retries += 1;
      retryTimer = setTimeout(send, 1000 * Math.pow(2, retries)); // 2, 4, 8 s
    }
  }
  function send() {
    clearTimeout(retryTimer);
    if (sending) return;
    var answers = apply(), state = JSON.stringify(answers);
    // The same answers keep their id, so a retry can never store twice; changed ones get a new one.
    if (failedWith !== null && state !== failedWith) submission.value = uuid();
    sending = true;
    sendButton.disabled = true;
    sendButton.textContent = S.sending.other;
    var body = { questionnaire: hidden("fw_questionnaire"), version: hidden("fw_version"), language: hidden("fw_language"),
                 submission_id: submission.value, answers: answers };
    var abort = root.AbortController ? new root.AbortController() : null;
    var timer = setTimeout(function () { if (abort) abort.abort(); }, TIMEOUT);
    root.fetch(form.action, { method: "POST", body: JSON.stringify(body), credentials: "omit",
      cache: "no-store", referrerPolicy: "no-referrer", headers: { "Content-Type": "application/json" },
      signal: abort ? abort.signal : undefined })
      .then(function (r) {
        clearTimeout(timer);
        if (r.status === 200 || r.status === 201) { root.location.replace("thanks.html"); return; }
        if (r.status === 422) {
          return r.json().then(function (j) {
            idle();
            failedWith = null;
            showErrors((j.errors || []).map(function (x) {
              var qid = String(x.field || "").split(".")[0], q = byId[qid] || questions[0];
              return { q: q, text: x.message, target: box(q).querySelector("input, textarea") };
            }));
          });
        }
        if (r.status === 503) return failed(S.refused_unavailable.other, "auto");
        if (r.status === 429) {
          var wait = Number(r.headers.get("Retry-After")) || 60;
          return failed(msg("refused_busy", {}, Math.max(1, Math.ceil(wait / 60))), "button");
        }
        if (r.status === 410) return failed(S.refused_closed.other, false, root.location.pathname);
        if (r.status === 409) {
          // Answers are stored under this id already: never resent, and edits keep the id,
          // so they cannot be stored as a second response either.
          failed(S.refused_duplicate.other, false);
          failedWith = null;
          return;
        }
        failed(S.refused_unreadable.other, false);
      })
      .catch(function () { clearTimeout(timer); failed(S.err_send.other, "auto"); });
  }
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    if (sending) return;
    var list = visible(), section = sections[current];
    if (pageErrors(section)) return;
    if (list.indexOf(section) < list.length - 1) { step(1); return; }
    if (!root.fetch) { fallback(); return; } // a browser without fetch posts the form itself
    retries = 0;
    send();
  });

  // ---- behaviours on every change ----
  form.addEventListener("change", function (e) {
    clearTimeout(retryTimer); // an answer changed: no automatic resend of half-made edits
    var t = e.target;
    if (t.type === "checkbox" && t.checked) {
      var group = field(t.name), exclusive = t.hasAttribute("data-fw-exclusive");
      group.forEach(function (o) {
        if (o !== t && (exclusive || o.hasAttribute("data-fw-exclusive"))) o.checked = false;
      });
    }
    show(sections[current], false); // answers may add or remove pages ahead: refresh the buttons
  });
  var timers = {};
  form.addEventListener("input", function (e) {
    clearTimeout(retryTimer);
    var t = e.target, countId = t.getAttribute("data-fw-count");
    if (countId) {
      clearTimeout(timers[countId]);
      timers[countId] = setTimeout(function () {
        var left = Number(t.getAttribute("maxlength")) - t.value.length;
        doc.getElementById(countId).textContent = left >= 0 ? msg("chars_left", {}, left) : msg("chars_over", {}, -left);
      }, 400);
    }
    show(sections[current], false);
  });
  $$("[data-fw-next]").forEach(function (b) {
    b.addEventListener("click", function () { if (!pageErrors(sections[current])) step(1); });
  });
  $$("[data-fw-back]").forEach(function (b) { b.addEventListener("click", function () { clearErrors(); step(-1); }); });
  apply();
  show(visible()[0], false);
})(typeof window === "undefined" ? this : window);

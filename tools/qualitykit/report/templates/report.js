(function () {
  "use strict";
  var source = document.getElementById("qk-data");
  var data = source ? JSON.parse(source.textContent) : { findings: [], survivors: [] };

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  // As forge.Forge.blob: the prefix (https://…/blob/<commit>/), the quoted path, #L<line>.
  function link(file, line) {
    if (typeof data.forge !== "string" || data.forge.indexOf("https://") !== 0) { return null; }
    if (file === "(no file)") { return null; }
    var path = file.split("/").map(encodeURIComponent).join("/");
    return data.forge + path + (line ? "#L" + line : "");
  }

  function place(file, line) {
    var text = line ? file + ":" + line : file;
    var href = link(file, line);
    if (href !== null) {
      var anchor = el("a", "loc", text);
      anchor.href = href;
      anchor.rel = "noopener";
      return anchor;
    }
    return el("span", "loc", text);
  }

  function more(id, rows, size, draw) {
    var button = document.getElementById(id);
    if (!button) { return; }
    var next = 0;
    button.addEventListener("click", function () {
      var end = Math.min(next + size, rows.length);
      draw(rows.slice(next, end));
      next = end;
      if (next < rows.length) {
        button.textContent = "show more (" + (rows.length - next) + " left)";
      } else {
        button.remove();
      }
    });
  }

  // A finding: [file, line, step, code, severity, message, new]. Rows of the file the HTML
  // ended with go on in its list; each other file gets its own group.
  var box = document.getElementById("findings");
  var last = box ? box.lastElementChild : null;
  var file = last ? last.getAttribute("data-file") : null;
  var list = last ? last.querySelector("ul") : null;
  more("more-findings", data.findings, 500, function (rows) {
    rows.forEach(function (row) {
      if (row[0] !== file || list === null) {
        file = row[0];
        var details = el("details", "file");
        details.setAttribute("data-file", file);
        details.open = true;
        var summary = el("summary");
        summary.appendChild(el("code", "", file));
        details.appendChild(summary);
        list = el("ul");
        details.appendChild(list);
        box.appendChild(details);
      }
      var item = el("li", "finding sev-" + row[4]);
      if (row[6]) { item.appendChild(el("span", "new", "new")); }
      item.appendChild(place(row[0], row[1]));
      item.appendChild(document.createTextNode(" "));
      item.appendChild(el("span", "step", row[2]));
      item.appendChild(document.createTextNode(" "));
      item.appendChild(el("code", "", row[3]));
      item.appendChild(document.createTextNode(" "));
      item.appendChild(el("span", "msg", row[5]));
      list.appendChild(item);
    });
  });

  // A survivor: [module, line, operator, tests, diff]
  more("more-survivors", data.survivors, 100, function (rows) {
    var box = document.getElementById("survivors");
    rows.forEach(function (row) {
      var details = el("details", "survivor");
      var summary = el("summary");
      summary.appendChild(place(row[0], row[1]));
      summary.appendChild(document.createTextNode(" " + row[2] + " (" + row[3] + " tests ran it)"));
      details.appendChild(summary);
      details.appendChild(el("pre", "", row[4]));
      box.appendChild(details);
    });
  });
}());

/*
 * Media uploads with drag and drop and a progress bar per file. Progressive enhancement: the
 * forms post without this file too (one file at a time, the page answers with the result).
 *
 * [data-upload-form]  (upload page) several files, each sent to the JSON API
 *                     (data-upload-url, multipart field "file"); the API's answer is shown
 *                     beside the file, with a link to describe it as a session.
 * [data-replace-form] (edit page) one file, posted to the form's own action like the plain
 *                     form; the page that comes back replaces <main>, so the result and any
 *                     message beside the field appear without a reload.
 */
(function () {
  "use strict";

  /* Format labels by container, handed over by the page (the server's formats registry). */
  function formatLabels() {
    var block = document.querySelector("script[data-media-labels]");
    return (block && parseJson(block.textContent)) || {};
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text !== undefined) {
      node.textContent = text;
    }
    return node;
  }

  function clock(seconds) {
    var total = Math.max(0, Math.floor(seconds || 0));
    var hours = Math.floor(total / 3600);
    var minutes = Math.floor((total % 3600) / 60);
    var secs = total % 60;
    var two = function (n) { return (n < 10 ? "0" : "") + n; };
    return hours ? hours + ":" + two(minutes) + ":" + two(secs) : minutes + ":" + two(secs);
  }

  function megabytes(bytes) {
    var mb = bytes / (1024 * 1024);
    return (mb < 0.1 ? "<0.1" : mb.toFixed(mb < 10 ? 1 : 0)) + " MB";
  }

  function csrfToken(form) {
    var field = form.querySelector("input[name=_csrf_token]");
    return field ? field.value : "";
  }

  function tooBig(form, file) {
    var limit = parseInt(form.getAttribute("data-max-bytes"), 10);
    if (limit && file.size > limit) {
      return "The file is larger than the " + form.getAttribute("data-max-mb") + " MB limit.";
    }
    return "";
  }

  function parseJson(text) {
    try {
      return JSON.parse(text);
    } catch (error) {
      return null;
    }
  }

  /* A drop zone around a file field: highlight while dragging, hand the files over on drop. */
  function dropZone(zone, onFiles) {
    var depth = 0;
    var prompt = zone.querySelector("[data-drop-prompt]");
    zone.classList.add("drop-zone--enhanced");
    if (prompt) {
      prompt.hidden = false;
    }
    zone.addEventListener("dragenter", function (event) {
      event.preventDefault();
      depth += 1;
      zone.classList.add("drop-zone--active");
    });
    zone.addEventListener("dragover", function (event) {
      event.preventDefault();
      if (event.dataTransfer) {
        event.dataTransfer.dropEffect = "copy";
      }
    });
    zone.addEventListener("dragleave", function () {
      depth = Math.max(0, depth - 1);
      if (!depth) {
        zone.classList.remove("drop-zone--active");
      }
    });
    zone.addEventListener("drop", function (event) {
      event.preventDefault();
      depth = 0;
      zone.classList.remove("drop-zone--active");
      if (event.dataTransfer && event.dataTransfer.files.length) {
        onFiles(event.dataTransfer.files);
      }
    });
  }

  /* A file dropped beside the zone must not make the browser leave the page to open it. */
  function guardWindow() {
    ["dragover", "drop"].forEach(function (type) {
      window.addEventListener(type, function (event) {
        if (!event.defaultPrevented) {
          event.preventDefault();
        }
      });
    });
  }

  // --- the upload page: several files, through the JSON API ---------------------------------

  function uploadPage(form) {
    var input = form.querySelector("input[type=file]");
    var results = document.querySelector("[data-upload-results]");
    var list = document.querySelector("[data-upload-list]");
    var submit = form.querySelector("[data-upload-submit]");
    var label = form.querySelector("label[for=" + input.id + "]");
    var queue = [];
    var busy = false;

    input.multiple = true;
    if (label) {
      label.textContent = "Media files";
    }
    if (submit) {
      submit.hidden = true;
    }

    function add(files) {
      for (var i = 0; i < files.length; i += 1) {
        queue.push(item(files[i]));
      }
      results.hidden = false;
      input.value = "";
      next();
    }

    function item(file) {
      var row = el("li", "upload-item");
      var name = el("p", "upload-item__name");
      name.appendChild(el("strong", "", file.name));
      name.appendChild(document.createTextNode(" "));
      name.appendChild(el("span", "muted", megabytes(file.size)));
      var progress = el("progress", "upload-progress");
      progress.max = 100;
      progress.value = 0;
      progress.setAttribute("aria-label", "Upload progress for " + file.name);
      var status = el("p", "upload-item__status", "Waiting…");
      status.setAttribute("role", "status");
      row.appendChild(name);
      row.appendChild(progress);
      row.appendChild(status);
      list.appendChild(row);
      return { file: file, row: row, progress: progress, status: status };
    }

    function finish(entry, ok, text) {
      entry.row.classList.add(ok ? "upload-item--done" : "upload-item--error");
      entry.status.textContent = text;
      if (!ok) {
        entry.progress.hidden = true;
      }
      busy = false;
      next();
    }

    function next() {
      if (busy || !queue.length) {
        return;
      }
      var entry = queue.shift();
      var problem = tooBig(form, entry.file);
      if (problem) {
        finish(entry, false, problem);
        return;
      }
      busy = true;
      send(entry);
    }

    function send(entry) {
      var xhr = new XMLHttpRequest();
      var body = new FormData();
      body.append("file", entry.file, entry.file.name);
      xhr.open("POST", form.getAttribute("data-upload-url"));
      xhr.setRequestHeader("Accept", "application/json");
      xhr.setRequestHeader("x-csrftoken", csrfToken(form));
      entry.status.textContent = "Uploading…";
      xhr.upload.addEventListener("progress", function (event) {
        if (event.lengthComputable) {
          entry.progress.value = Math.round((event.loaded / event.total) * 100);
          entry.progress.textContent = entry.progress.value + "%";
        }
      });
      xhr.upload.addEventListener("load", function () {
        entry.progress.value = 100;
        entry.status.textContent = "Checking the file…";
      });
      xhr.addEventListener("load", function () {
        var answer = parseJson(xhr.responseText);
        if ((xhr.status === 200 || xhr.status === 201) && answer) {
          succeeded(entry, answer);
        } else {
          var detail = answer && answer.detail ? answer.detail : "";
          finish(entry, false, "Not stored: " + (detail || "the server answered " + xhr.status + "."));
        }
      });
      xhr.addEventListener("error", function () {
        finish(entry, false, "The upload was interrupted. Check the connection and try again.");
      });
      xhr.send(body);
    }

    function succeeded(entry, media) {
      var facts = [clock(media.duration_seconds), formatLabels()[media.container] || media.container];
      if (media.sample_rate) {
        facts.push(media.sample_rate / 1000 + " kHz");
      }
      if (media.channels) {
        facts.push(media.channels === 1 ? "mono" : media.channels === 2 ? "stereo" : media.channels + " channels");
      }
      var text = (media.already_stored ? "Already in the library: " : "Ready: ") + facts.join(" · ");
      if (media.title) {
        text += " · title “" + media.title + "”";
      }
      var link = el("a", "button button--secondary upload-item__action", "Create session");
      link.href = "/library/sessions/new?asset=" + encodeURIComponent(media.id);
      link.appendChild(el("span", "visually-hidden", " from " + entry.file.name));
      entry.row.appendChild(link);
      finish(entry, true, text);
    }

    input.addEventListener("change", function () {
      if (input.files.length) {
        add(input.files);
      }
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (input.files.length) {
        add(input.files);
      }
    });
    dropZone(form.querySelector("[data-drop-zone]") || form, add);
  }

  // --- the edit page: one file, through the page's own form ---------------------------------

  function replaceForm(form) {
    var input = form.querySelector("input[type=file]");
    var progress = form.querySelector("[data-replace-progress]");
    var status = form.querySelector("[data-replace-status]");

    function say(text) {
      if (status) {
        status.textContent = text;
      }
    }

    form.addEventListener("submit", function (event) {
      if (!input.files.length) {
        event.preventDefault();
        say("Choose a file first.");
        input.focus();
        return;
      }
      var problem = tooBig(form, input.files[0]);
      if (problem) {
        event.preventDefault();
        say(problem);
        return;
      }
      event.preventDefault();
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.setRequestHeader("x-csrftoken", csrfToken(form));
      progress.hidden = false;
      say("Uploading…");
      xhr.upload.addEventListener("progress", function (progressEvent) {
        if (progressEvent.lengthComputable) {
          progress.value = Math.round((progressEvent.loaded / progressEvent.total) * 100);
          progress.textContent = progress.value + "%";
        }
      });
      xhr.upload.addEventListener("load", function () {
        progress.value = 100;
        say("Checking the file…");
      });
      xhr.addEventListener("load", function () {
        var page = new DOMParser().parseFromString(xhr.responseText, "text/html");
        var main = page.querySelector("main");
        if (!main) {
          progress.hidden = true;
          say("The upload failed (the server answered " + xhr.status + ").");
          return;
        }
        // Success follows the redirect to the edit page; a refusal re-renders this page.
        if (xhr.status < 400 && xhr.responseURL) {
          window.history.replaceState(null, "", xhr.responseURL);
        }
        document.title = page.title;
        document.querySelector("main").replaceWith(document.adoptNode(main));
        document.dispatchEvent(new CustomEvent("wellness:replaced"));
        var summary = document.querySelector(".error-summary");
        (summary || document.querySelector("main")).focus();
      });
      xhr.addEventListener("error", function () {
        progress.hidden = true;
        say("The upload was interrupted. Check the connection and try again.");
      });
      xhr.send(new FormData(form));
    });
    dropZone(form.querySelector("[data-drop-zone]") || form, function (files) {
      try {
        var transfer = new DataTransfer();
        transfer.items.add(files[0]);
        input.files = transfer.files;
        say(files[0].name + " is ready: press “" + form.querySelector("button[type=submit]").textContent.trim() + "”.");
      } catch (error) {
        say("Use the file button to choose the file.");
      }
    });
  }

  function enhanceAll() {
    var forms = document.querySelectorAll("[data-upload-form]:not([data-enhanced])");
    for (var i = 0; i < forms.length; i += 1) {
      forms[i].setAttribute("data-enhanced", "");
      uploadPage(forms[i]);
    }
    var replacing = document.querySelectorAll("[data-replace-form]:not([data-enhanced])");
    for (var j = 0; j < replacing.length; j += 1) {
      replacing[j].setAttribute("data-enhanced", "");
      replaceForm(replacing[j]);
    }
  }

  if (window.XMLHttpRequest && window.FormData && window.DOMParser) {
    guardWindow();
    enhanceAll();
    document.addEventListener("wellness:replaced", enhanceAll);
  }
})();

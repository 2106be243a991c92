/* polycast: seek from the chapter list and the transcript, and follow the episode as it plays.
   No framework, no network: the episode page's player, chapters and cues are all it needs. */
(function () {
  "use strict";
  var player = document.getElementById("player");
  if (!player) {
    return;
  }
  var chapters = Array.prototype.slice.call(document.querySelectorAll("#chapters > li"));
  var cues = Array.prototype.slice.call(document.querySelectorAll("#transcript .cue"));
  var READER_PAUSE_MS = 4000; /* after the reader scrolls, leave the page where they put it */
  var readerScrolled = -Infinity;
  var ownScrollUntil = 0; /* scroll events until then are the page following the cue */
  var shownCue = null;

  function start(element) {
    var value = parseFloat(element.getAttribute("data-start"));
    return isFinite(value) ? value : 0;
  }

  function chapterStart(li) {
    var button = li.querySelector(".seek");
    return button ? start(button) : 0;
  }

  function seek(element) {
    player.currentTime = start(element);
    var playing = player.play();
    if (playing && playing.catch) {
      playing.catch(function () { /* the reader may press play themselves */ });
    }
  }

  document.addEventListener("click", function (event) {
    if (event.target.closest("a")) {
      return;
    }
    var target = event.target.closest("#chapters .seek, #transcript .cue");
    if (target) {
      seek(target);
    }
  });

  document.addEventListener("keydown", function (event) {
    var cue = event.target.closest && event.target.closest("#transcript .cue");
    if (cue && (event.key === "Enter" || event.key === " ")) {
      event.preventDefault();
      seek(cue);
    } else if (["ArrowUp", "ArrowDown", "PageUp", "PageDown", "Home", "End"].indexOf(event.key) >= 0) {
      readerScrolled = Date.now();
    }
  });
  ["wheel", "touchmove"].forEach(function (name) {
    window.addEventListener(name, function () { readerScrolled = Date.now(); }, { passive: true });
  });
  window.addEventListener("scroll", function () {
    if (Date.now() > ownScrollUntil) {
      readerScrolled = Date.now(); /* the scroll bar, or anything else the reader did */
    }
  }, { passive: true });

  function latest(list, time, startOf) {
    var found = null;
    for (var i = 0; i < list.length; i++) {
      if (startOf(list[i]) <= time) {
        found = list[i];
      }
    }
    return found;
  }

  function mark(list, current) {
    list.forEach(function (element) {
      if (element === current) {
        element.setAttribute("aria-current", "true");
      } else if (element.hasAttribute("aria-current")) {
        element.removeAttribute("aria-current");
      }
    });
  }

  function follow() {
    var time = player.currentTime;
    mark(chapters, latest(chapters, time, chapterStart));
    var cue = latest(cues, time, start);
    mark(cues, cue);
    if (cue && cue !== shownCue && Date.now() - readerScrolled > READER_PAUSE_MS) {
      var still = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
      ownScrollUntil = Date.now() + 1500;
      cue.scrollIntoView({ block: "center", behavior: still ? "auto" : "smooth" });
    }
    shownCue = cue;
  }

  player.addEventListener("timeupdate", follow);
  player.addEventListener("seeked", follow);
})();

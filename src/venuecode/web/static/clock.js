// The live clock of the scan stamp: a screenshot shows a frozen time, the real page ticks.
(function () {
  var clock = document.getElementById("clock");
  var date = document.getElementById("date");
  function pad(n) { return n < 10 ? "0" + n : "" + n; }
  function tick() {
    var now = new Date();
    clock.textContent = pad(now.getHours()) + ":" + pad(now.getMinutes()) + ":" + pad(now.getSeconds());
    date.textContent = now.getFullYear() + "-" + pad(now.getMonth() + 1) + "-" + pad(now.getDate());
  }
  tick();
  setInterval(tick, 1000);
})();

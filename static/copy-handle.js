// Copies the organisation's fediverse handle. Without JavaScript the button stays hidden
// and the handle is ordinary text to select; with it, the button appears and says what it did.
(function () {
  'use strict'
  const buttons = document.querySelectorAll('button.copy-handle')
  Array.prototype.forEach.call(buttons, function (button) {
    const target = document.getElementById(button.getAttribute('data-copy-target'))
    const status = button.parentNode.querySelector('.copy-status')
    if (!target || !status || !navigator.clipboard) return
    button.hidden = false
    button.addEventListener('click', function () {
      navigator.clipboard.writeText(target.textContent.trim()).then(function () {
        status.textContent = status.getAttribute('data-copied')
      }, function () {
        status.textContent = status.getAttribute('data-failed')
      })
    })
  })
})()

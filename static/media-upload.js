// Drag and drop for the editor's "insert an image or file" box. Without this script the box
// works as a plain form; with it, a file dropped on the text is uploaded and its Markdown put
// where the cursor is. Images wait for their description first.
(function () {
  'use strict'
  const box = document.querySelector('[data-media-upload]')
  const text = document.getElementById('source')
  if (!box || !text || !window.fetch || !window.FormData) return
  const fileInput = document.getElementById('media-file')
  const altInput = document.getElementById('media-alt')
  const form = box.closest('form')
  const status = document.createElement('p')
  status.className = 'notice'
  status.setAttribute('role', 'status')
  status.hidden = true
  box.insertBefore(status, box.firstChild.nextSibling)

  function say (message) {
    status.textContent = message
    status.hidden = false
  }

  function insert (markdown) {
    const start = text.selectionStart
    const end = text.selectionEnd
    const before = text.value.slice(0, start)
    const gap = before === '' || /\n\n$/.test(before) ? '' : /\n$/.test(before) ? '\n' : '\n\n'
    text.value = before + gap + markdown + '\n' + text.value.slice(end)
    text.selectionStart = text.selectionEnd = start + gap.length + markdown.length + 1
    text.focus()
  }

  function upload (file) {
    const token = form && form.querySelector('input[name="_csrf"]')
    const body = new FormData()
    body.append('alt', altInput.value)
    body.append('file', file, file.name)
    say(box.getAttribute('data-message-uploading'))
    fetch('/api/media', { method: 'POST', body, credentials: 'same-origin', headers: token ? { 'x-csrf-token': token.value, accept: 'application/json' } : { accept: 'application/json' } })
      .then(function (response) {
        return response.json().then(function (answer) { return { ok: response.status === 201, answer } })
      })
      .then(function (result) {
        if (!result.ok) return say(result.answer.message || box.getAttribute('data-message-failed'))
        insert(result.answer.markdown)
        altInput.value = ''
        fileInput.value = ''
        say(box.getAttribute('data-message-inserted'))
      })
      .catch(function () { say(box.getAttribute('data-message-failed')) })
  }

  function take (files) {
    if (!files || files.length === 0) return
    const file = files[0]
    if (/^image\//.test(file.type) && altInput.value.trim() === '') {
      // The file waits in the form; the plain button or a second drop uploads it once described.
      try { fileInput.files = files } catch (error) {}
      say(box.getAttribute('data-message-describe'))
      altInput.focus()
      return
    }
    upload(file)
  }

  ;[text, box].forEach(function (target) {
    target.addEventListener('dragover', function (event) {
      if (event.dataTransfer && Array.prototype.indexOf.call(event.dataTransfer.types, 'Files') !== -1) event.preventDefault()
    })
    target.addEventListener('drop', function (event) {
      if (!event.dataTransfer || event.dataTransfer.files.length === 0) return
      event.preventDefault()
      take(event.dataTransfer.files)
    })
  })
})()

// Drag and drop for the "insert an image or file" box of the Markdown editor and the guided
// lesson form. Without this script the box works as a plain form; with it, a file dropped on a
// text box is uploaded and its Markdown put where the cursor is (dropped on the box itself: in
// the editor at the cursor, in the lesson form at the end of the chosen section). Images wait
// for their description first.
(function () {
  'use strict'
  const box = document.querySelector('[data-media-upload]')
  if (!box || !window.fetch || !window.FormData) return
  const choice = box.querySelector('[data-media-section]')
  // The editor has one text; the lesson form the report's boxes its choice list names ('' is the end of the report).
  const texts = choice
    ? Array.prototype.map.call(choice.options, function (option) { return option.value && document.getElementById(option.value) }).filter(Boolean)
    : [document.getElementById('source')].filter(Boolean)
  if (texts.length === 0) return
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

  /** Where a file dropped on the box goes: the editor's text, or the chosen section (the end of the report: its last box with text). */
  function chosenText () {
    if (!choice) return { text: texts[0], atEnd: false }
    if (choice.value !== '') return { text: document.getElementById(choice.value), atEnd: true }
    const extra = document.getElementById('extra')
    const report = extra ? texts.concat([extra]) : texts
    const filled = report.filter(function (text) { return text.value.trim() !== '' })
    return { text: filled.length > 0 ? filled[filled.length - 1] : texts[0], atEnd: true }
  }

  function insert (target, markdown) {
    const text = target.text
    if (target.atEnd) text.selectionStart = text.selectionEnd = text.value.replace(/\s*$/, '').length
    const start = text.selectionStart
    const end = text.selectionEnd
    const before = text.value.slice(0, start)
    const gap = before === '' || /\n\n$/.test(before) ? '' : /\n$/.test(before) ? '\n' : '\n\n'
    text.value = before + gap + markdown + '\n' + text.value.slice(end)
    text.selectionStart = text.selectionEnd = start + gap.length + markdown.length + 1
    text.focus()
  }

  function upload (file, target) {
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
        insert(target, result.answer.markdown)
        altInput.value = ''
        fileInput.value = ''
        say(box.getAttribute('data-message-inserted'))
      })
      .catch(function () { say(box.getAttribute('data-message-failed')) })
  }

  function take (files, target) {
    if (!files || files.length === 0) return
    const file = files[0]
    if (/^image\//.test(file.type) && altInput.value.trim() === '') {
      // The file waits in the form; the plain button or a second drop uploads it once described.
      try { fileInput.files = files } catch (error) {}
      if (choice && !target.atEnd) choice.value = target.text.id
      say(box.getAttribute('data-message-describe'))
      altInput.focus()
      return
    }
    upload(file, target)
  }

  texts.concat([box]).forEach(function (element) {
    element.addEventListener('dragover', function (event) {
      if (event.dataTransfer && Array.prototype.indexOf.call(event.dataTransfer.types, 'Files') !== -1) event.preventDefault()
    })
    element.addEventListener('drop', function (event) {
      if (!event.dataTransfer || event.dataTransfer.files.length === 0) return
      event.preventDefault()
      take(event.dataTransfer.files, element === box ? chosenText() : { text: element, atEnd: false })
    })
  })
})()

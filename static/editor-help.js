// Editing help for the Markdown editor: a formatting toolbar and completion of [[wiki links]].
// Progressive enhancement: without this file the editor's text area does everything, and
// the toolbar and the suggestion list stay hidden. Loaded as a file (the CSP allows no inline scripts).
'use strict'

;(function () {
  const source = document.getElementById('source')
  const toolbar = document.querySelector('.editor-toolbar')
  const list = document.getElementById('wiki-link-suggestions')
  const status = document.getElementById('wiki-link-status')
  if (source === null || toolbar === null || list === null || status === null) return

  /** Replaces the selection, keeping the browser's undo history where it can. */
  function replaceSelection (text, selectFrom, selectTo) {
    const start = source.selectionStart
    source.focus()
    const inserted = document.execCommand !== undefined && document.execCommand('insertText', false, text)
    if (!inserted) {
      source.setRangeText(text, source.selectionStart, source.selectionEnd, 'end')
      source.dispatchEvent(new Event('input', { bubbles: true }))
    }
    if (selectFrom !== undefined) source.setSelectionRange(start + selectFrom, start + (selectTo ?? selectFrom))
  }

  function selected () {
    return source.value.slice(source.selectionStart, source.selectionEnd)
  }

  /** Wraps the selection in a mark (or a placeholder, selected so typing replaces it). */
  function wrap (mark, placeholder) {
    const text = selected() || placeholder
    replaceSelection(mark + text + mark, mark.length, mark.length + text.length)
  }

  /** Puts a prefix before each line the selection touches. */
  function prefixLines (prefix) {
    const value = source.value
    const lineStart = value.lastIndexOf('\n', source.selectionStart - 1) + 1
    const endIndex = value.indexOf('\n', Math.max(source.selectionEnd - 1, source.selectionStart))
    const lineEnd = endIndex === -1 ? value.length : endIndex
    source.setSelectionRange(lineStart, lineEnd)
    const lines = value.slice(lineStart, lineEnd).split('\n').map(function (line) { return prefix + line })
    const text = lines.join('\n')
    replaceSelection(text, text.length)
  }

  const actions = {
    bold: function () { wrap('**', toolbar.dataset.bold) },
    italic: function () { wrap('_', toolbar.dataset.italic) },
    heading: function () { prefixLines('## ') },
    list: function () { prefixLines('- ') },
    quote: function () { prefixLines('> ') },
    link: function () {
      const text = selected() || toolbar.dataset.link
      const start = text.length + 3
      replaceSelection('[' + text + '](https://)', start, start + 8)
    },
    wikiLink: function () {
      const text = selected()
      replaceSelection('[[' + text + ']]', 2 + text.length)
      if (text === '') suggest()
    },
    table: function () {
      const column = toolbar.dataset.column
      const before = source.selectionStart > 0 && source.value[source.selectionStart - 1] !== '\n' ? '\n\n' : ''
      const table = before + '| ' + column + ' 1 | ' + column + ' 2 |\n| --- | --- |\n|  |  |\n'
      replaceSelection(table, table.length - 6)
    }
  }

  // The toolbar pattern: one tab stop, arrow keys move between the buttons.
  const buttons = Array.prototype.slice.call(toolbar.querySelectorAll('button'))
  buttons.forEach(function (button, index) {
    button.tabIndex = index === 0 ? 0 : -1
    button.addEventListener('click', function () { actions[button.dataset.action]() })
  })
  toolbar.addEventListener('keydown', function (event) {
    const current = buttons.indexOf(document.activeElement)
    if (current === -1) return
    const next = { ArrowRight: current + 1, ArrowLeft: current - 1, Home: 0, End: buttons.length - 1 }[event.key]
    if (next === undefined) return
    event.preventDefault()
    const target = buttons[(next + buttons.length) % buttons.length]
    buttons.forEach(function (button) { button.tabIndex = button === target ? 0 : -1 })
    target.focus()
  })
  toolbar.hidden = false

  // Completion of [[wiki links]], after the combobox pattern: the text area keeps the focus,
  // aria-activedescendant names the highlighted suggestion, a status line says how many there are.
  source.setAttribute('aria-autocomplete', 'list')
  source.setAttribute('aria-controls', 'wiki-link-suggestions')
  let active = -1
  let request = null
  let timer = null
  let typed = null

  /** The title being typed after an unclosed `[[` on the caret's line, or null. */
  function typedTitle () {
    if (source.selectionStart !== source.selectionEnd) return null
    const before = source.value.slice(Math.max(0, source.selectionStart - 102), source.selectionStart)
    const match = /\[\[([^[\]|\n]{0,100})$/.exec(before)
    return match === null ? null : match[1]
  }

  function close () {
    list.hidden = true
    list.textContent = ''
    active = -1
    source.removeAttribute('aria-activedescendant')
  }

  function highlight (index) {
    const options = list.querySelectorAll('[role="option"]')
    if (options.length === 0) return
    active = (index + options.length) % options.length
    options.forEach(function (option, at) { option.setAttribute('aria-selected', at === active ? 'true' : 'false') })
    source.setAttribute('aria-activedescendant', options[active].id)
    options[active].scrollIntoView({ block: 'nearest' })
  }

  function accept (title) {
    const query = typedTitle()
    if (query === null) { close(); return }
    const closing = source.value.slice(source.selectionStart, source.selectionStart + 2) === ']]'
    source.setSelectionRange(source.selectionStart - query.length, source.selectionStart)
    replaceSelection(title + (closing ? '' : ']]'))
    if (closing) source.setSelectionRange(source.selectionStart + 2, source.selectionStart + 2)
    close()
  }

  function show (titles) {
    list.textContent = ''
    active = -1
    source.removeAttribute('aria-activedescendant')
    titles.forEach(function (entry, index) {
      const option = document.createElement('li')
      option.id = 'wiki-link-suggestion-' + index
      option.setAttribute('role', 'option')
      option.setAttribute('aria-selected', 'false')
      option.textContent = entry.title
      // The text area keeps the focus: a click picks without blurring it.
      option.addEventListener('mousedown', function (event) { event.preventDefault() })
      option.addEventListener('click', function () { accept(entry.title) })
      list.appendChild(option)
    })
    list.hidden = titles.length === 0
    status.textContent = titles.length === 0 ? status.dataset.none : status.dataset.count.replace('{count}', String(titles.length))
  }

  function suggest () {
    const query = typedTitle()
    if (query === null || query.trim() === '') { close(); typed = null; return }
    if (query === typed) return
    typed = query
    clearTimeout(timer)
    timer = setTimeout(function () {
      if (request !== null) request.abort()
      request = new AbortController()
      fetch('/api/page-titles?q=' + encodeURIComponent(query), { signal: request.signal, headers: { accept: 'application/json' }, credentials: 'same-origin' })
        .then(function (response) { return response.ok ? response.json() : { titles: [] } })
        .then(function (answer) { if (typedTitle() === query) show(answer.titles) })
        .catch(function () { /* a newer request took over, or the network failed: the text area works as before */ })
    }, 150)
  }

  source.addEventListener('input', suggest)
  source.addEventListener('click', suggest)
  source.addEventListener('blur', function () { setTimeout(close, 100) })
  source.addEventListener('keydown', function (event) {
    const key = event.key.toLowerCase()
    if ((event.ctrlKey || event.metaKey) && !event.altKey && (key === 'b' || key === 'i')) {
      event.preventDefault()
      actions[key === 'b' ? 'bold' : 'italic']()
      return
    }
    if (list.hidden) return
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault()
      highlight(active + (event.key === 'ArrowDown' ? 1 : -1))
    } else if ((event.key === 'Enter' || event.key === 'Tab') && active !== -1) {
      event.preventDefault()
      accept(list.querySelectorAll('[role="option"]')[active].textContent)
    } else if (event.key === 'Escape') {
      event.preventDefault()
      close()
    }
  })
})()

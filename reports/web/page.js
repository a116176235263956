// Draws a primbench page (the HTML report, the hardware comparison) from the
// document model embedded in the JSON script element "primbench-document". The model's
// shape is described in reports/html_page.hpp and reports/report_charts.hpp;
// primbench decides what to show, this script only draws it.
//
// Every string of the model reaches the page as a text node (textContent) or
// as chart text drawn on a canvas (tooltips in ECharts' richText mode, not
// HTML): nothing from the results is ever parsed as markup.
'use strict';

(function () {
  const model = JSON.parse(document.getElementById('primbench-document').textContent);
  const page = document.getElementById('page');
  const charts = [];
  const flames = [];
  // Colour-blind-safe palette (Okabe & Ito); a chart holds at most eight series.
  const palette = ['#0072B2', '#E69F00', '#009E73', '#D55E00', '#CC79A7', '#56B4E9', '#F0E442', '#000000'];

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  // --- numbers ---------------------------------------------------------------

  function significant(value) {
    const abs = Math.abs(value);
    if (abs !== 0 && (abs >= 1e5 || abs < 1e-3)) return value.toExponential(2);
    return String(Number(value.toPrecision(3)));
  }

  function scaled(value, steps, unit) {
    for (const [size, name] of steps) {
      if (Math.abs(value) >= size * 0.9995) return significant(value / size) + ' ' + name + unit;
    }
    return significant(value) + (unit ? ' ' + unit : '');
  }

  function formatTimeNs(ns) {
    return scaled(ns, [[1e9, 's'], [1e6, 'ms'], [1e3, 'µs'], [1, 'ns']], '');
  }

  function formatBytes(bytes) {
    return scaled(bytes, [[1 << 30, 'GiB'], [1 << 20, 'MiB'], [1 << 10, 'KiB'], [1, 'B']], '');
  }

  function formatSi(value) {
    return scaled(value, [[1e12, 'T'], [1e9, 'G'], [1e6, 'M'], [1e3, 'k']], '').replace(/ (?=[TGMk]$)/, '');
  }

  // The tick and tooltip text of a value in `unit`: times and sizes carry their
  // unit in every label, other units are named once in the axis title.
  function formatterFor(unit) {
    if (unit === 'ns') return formatTimeNs;
    if (unit === 'B') return formatBytes;
    return formatSi;
  }

  function formatWithUnit(value, unit) {
    if (typeof value !== 'number') return String(value);
    if (unit === 'ns' || unit === 'B') return formatterFor(unit)(value);
    if (unit === '×') return significant(value) + '×';
    return formatSi(value) + (unit ? ' ' + unit : '');
  }

  function axisTitle(axis) {
    const parts = [];
    if (axis.unit && axis.unit !== 'ns' && axis.unit !== 'B') parts.push(axis.unit);
    if (axis.log) parts.push('log scale');
    return parts.length ? axis.label + ' (' + parts.join(', ') + ')' : axis.label;
  }

  // --- blocks ----------------------------------------------------------------

  function renderText(block) {
    return el('p', 'text', block.text);
  }

  function renderWarnings(block) {
    const box = el('div', 'warnings');
    box.setAttribute('role', 'alert');
    box.appendChild(el('h3', null, '⚠ ' + block.heading + ' (' + block.items.length + ')'));
    const list = el('ul');
    for (const item of block.items) list.appendChild(el('li', null, item));
    box.appendChild(list);
    return box;
  }

  function renderFacts(block) {
    const table = el('table', 'facts');
    const body = el('tbody');
    for (const [label, value] of block.rows) {
      const row = el('tr');
      row.appendChild(el('th', null, label));
      row.appendChild(el('td', null, value));
      body.appendChild(row);
    }
    table.appendChild(body);
    return table;
  }

  // A cell is text, null (nothing measured) or {text, href}: a link to the row it came from.
  function renderCell(numeric, cell) {
    const td = el('td', numeric ? 'num' : null);
    if (cell === null) {
      td.textContent = '—';
    } else if (typeof cell === 'object') {
      const link = el('a', null, cell.text);
      link.href = cell.href;
      td.appendChild(link);
    } else {
      td.textContent = cell;
    }
    return td;
  }

  function renderBlocks(parent, blocks) {
    for (const block of blocks) {
      const render = renderers[block.kind];
      parent.appendChild(render ? render(block) : el('p', 'text', 'unknown block: ' + block.kind));
    }
    return parent;
  }

  function renderGrid(block) {
    return renderBlocks(el('div', 'grid'), block.blocks);
  }

  function renderCard(block) {
    const card = el('article', 'card');
    card.appendChild(el('h3', null, block.title));
    return renderBlocks(card, block.blocks);
  }

  function renderDetails(block) {
    const details = el('details');
    details.appendChild(el('summary', null, block.summary));
    return renderBlocks(details, block.blocks);
  }

  function renderTable(block) {
    const figure = el('figure', 'table-block');
    if (block.caption) figure.appendChild(el('figcaption', null, block.caption));
    const wrap = el('div', 'table-scroll');
    const table = el('table', 'data');
    const head = el('thead');
    const headRow = el('tr');
    for (const column of block.columns) headRow.appendChild(el('th', column.numeric ? 'num' : null, column.label));
    head.appendChild(headRow);
    table.appendChild(head);
    const body = el('tbody');
    block.rows.forEach((row, r) => {
      const tr = el('tr');
      if (block.row_ids) tr.id = block.row_ids[r];
      row.forEach((cell, i) => {
        const numeric = block.columns[i] && block.columns[i].numeric;
        tr.appendChild(renderCell(numeric, cell));
      });
      body.appendChild(tr);
    });
    table.appendChild(body);
    wrap.appendChild(table);
    figure.appendChild(wrap);
    if (block.csv) figure.appendChild(csvLink(block));
    return figure;
  }

  function csvField(value) {
    const text = value === null ? '' : String(typeof value === 'object' ? value.text : value);
    return /[",\n]/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text;
  }

  // The table as a CSV file, made in the page: nothing is fetched.
  function csvLink(block) {
    const lines = [block.columns.map((c) => csvField(c.label)).join(',')];
    for (const row of block.rows) lines.push(row.map(csvField).join(','));
    const link = el('a', 'csv', 'Download as CSV');
    link.href = 'data:text/csv;charset=utf-8,' + encodeURIComponent(lines.join('\n') + '\n');
    link.download = block.csv;
    return link;
  }

  // A family's results, one size at a time: rows filtered by a typed text,
  // sorted by a clicked column.
  function renderPivot(block) {
    const figure = el('figure', 'table-block pivot');
    if (block.caption) figure.appendChild(el('figcaption', null, block.caption));
    const controls = el('div', 'pivot-controls');
    const filter = el('input');
    filter.type = 'search';
    filter.placeholder = 'filter rows';
    controls.appendChild(filter);
    let size = 0;
    if (block.sizes.length > 1) {
      const select = el('select');
      block.sizes.forEach((label, i) => select.appendChild(Object.assign(el('option', null, label), { value: i })));
      select.addEventListener('change', () => { size = Number(select.value); draw(); });
      controls.appendChild(el('label', null, 'message size '));
      controls.lastChild.appendChild(select);
    }
    figure.appendChild(controls);
    const wrap = el('div', 'table-scroll');
    figure.appendChild(wrap);
    let sortColumn = -1;
    let ascending = true;

    function draw() {
      const grid = block.rows.map(() => block.columns.map(() => null));
      for (const [row, column, cellSize, text, value, href] of block.cells) {
        if (cellSize === null || cellSize === size) grid[row][column] = { text, value, href };
      }
      const needle = filter.value.trim().toLowerCase();
      let order = block.rows.map((_, r) => r)
        .filter((r) => grid[r].some((c) => c) && block.rows[r].toLowerCase().includes(needle));
      if (sortColumn >= 0) {
        const key = (r) => (grid[r][sortColumn] ? grid[r][sortColumn].value : Infinity);
        order.sort((a, b) => (ascending ? 1 : -1) * (key(a) - key(b)) || a - b);
      }
      const used = block.columns.map((_, c) => order.some((r) => grid[r][c]));
      const table = el('table', 'data');
      const headRow = el('tr');
      headRow.appendChild(el('th', null, block.row_label));
      block.columns.forEach((label, c) => {
        if (!used[c]) return;
        const th = el('th', 'num sortable', label + (c === sortColumn ? (ascending ? ' ▲' : ' ▼') : ''));
        th.addEventListener('click', () => {
          ascending = c === sortColumn ? !ascending : true;
          sortColumn = c;
          draw();
        });
        headRow.appendChild(th);
      });
      table.appendChild(el('thead')).appendChild(headRow);
      const body = el('tbody');
      for (const r of order) {
        const tr = el('tr');
        tr.appendChild(el('td', null, block.rows[r]));
        block.columns.forEach((_, c) => {
          if (used[c]) tr.appendChild(renderCell(true, grid[r][c] && { text: grid[r][c].text, href: grid[r][c].href }));
        });
        body.appendChild(tr);
      }
      table.appendChild(body);
      wrap.replaceChildren(table);
    }
    filter.addEventListener('input', draw);
    draw();
    return figure;
  }

  function renderSvgImage(block) {
    const figure = el('figure', 'svg-image');
    const img = el('img');
    // As an image, an SVG runs no script and loads nothing.
    img.src = 'data:image/svg+xml;charset=utf-8,' + encodeURIComponent(block.svg);
    img.alt = block.alt || '';
    figure.appendChild(img);
    if (block.note) figure.appendChild(el('figcaption', null, block.note));
    return figure;
  }

  // --- charts ----------------------------------------------------------------

  function chartHeight(block) {
    if (block.chart === 'heatmap') return Math.min(900, Math.max(320, 30 * block.y_categories.length + 140));
    if (block.chart === 'bars') {
      return Math.max(200, (10 + 14 * block.series.length) * block.categories.length + 110);
    }
    return 420;
  }

  function baseOptions() {
    return {
      animation: false,
      color: palette,
      textStyle: { fontFamily: 'system-ui, sans-serif' },
      tooltip: { renderMode: 'richText', confine: true },
    };
  }

  function xyOptions(block) {
    const x = block.x;
    const y = block.y;
    const formatX = formatterFor(x.unit);
    const formatY = formatterFor(y.unit);
    const selected = {};
    const series = block.series.map((s) => {
      selected[s.name] = !s.hidden;
      const points = s.points.filter((p) => (!y.log || p[1] > 0) && (!x.log || x.categories || p[0] > 0));
      const colour = s.style === 'ideal' ? '#777777' : palette[s.group % palette.length];
      const common = { name: s.name, data: points, itemStyle: { color: colour }, lineStyle: { color: colour } };
      if (s.style === 'points') return Object.assign(common, { type: 'scatter', symbolSize: 9 });
      if (s.style === 'linear') {
        return Object.assign(common, {
          type: 'line', showSymbol: false, lineStyle: { color: colour, type: 'dotted', width: 1 },
        });
      }
      if (s.style === 'fit' || s.style === 'ideal') {
        return Object.assign(common, {
          type: 'line', showSymbol: false, smooth: s.style === 'fit',
          lineStyle: { color: colour, type: 'dashed', width: 2 },
        });
      }
      return Object.assign(common, { type: 'line', symbolSize: 6 });
    });
    const xAxis = x.categories
      ? { type: 'category', data: x.categories, boundaryGap: false }
      : { type: x.log ? 'log' : 'value', logBase: x.unit === 'B' ? 2 : 10, min: 'dataMin', max: 'dataMax',
          minInterval: x.integer ? 1 : 0, axisLabel: { formatter: formatX } };
    return Object.assign(baseOptions(), {
      legend: { type: 'scroll', top: 0, selected: selected },
      grid: { left: 20, right: 40, top: 40, bottom: 50, containLabel: true },
      xAxis: Object.assign(xAxis, { name: axisTitle(x), nameLocation: 'middle', nameGap: 30 }),
      yAxis: {
        type: y.log ? 'log' : 'value', name: axisTitle(y), nameLocation: 'end', nameGap: 12,
        nameTextStyle: { align: 'left' }, axisLabel: { formatter: formatY },
      },
      tooltip: Object.assign(baseOptions().tooltip, {
        trigger: 'item',
        formatter: (p) => p.seriesName + '\n' + (x.categories ? p.value[0] : formatWithUnit(p.value[0], x.unit)) +
          ': ' + formatWithUnit(p.value[1], y.unit),
      }),
      series: series,
    });
  }

  function heatmapOptions(block) {
    const values = block.cells.map((c) => c[2]);
    // color_range: the span the report chose (the cross-PU cells); cells outside it are
    // drawn grey in a second series the colour scale does not reach.
    const range = block.color_range || [Math.min(...values), Math.max(...values)];
    const inside = (c) => c[2] >= range[0] && c[2] <= range[1];
    const unit = block.value.unit;
    const n = Math.max(block.x_categories.length, block.y_categories.length);
    return Object.assign(baseOptions(), {
      grid: { left: 20, right: 110, top: 20, bottom: 50, containLabel: true },
      xAxis: { type: 'category', data: block.x_categories, name: block.x.label, nameLocation: 'middle',
        nameGap: 30, splitArea: { show: true } },
      yAxis: { type: 'category', data: block.y_categories, name: block.y.label, nameLocation: 'end',
        inverse: true, splitArea: { show: true } },
      // ECharts' heatmap needs a visualMap for every series: the second, hidden, paints grey.
      visualMap: [{
        min: range[0], max: range[1], calculable: true, orient: 'vertical', right: 10,
        top: 'middle', formatter: (v) => formatWithUnit(v, unit), text: [block.value.label, ''],
        inRange: { color: ['#f7fbff', '#6baed6', '#08306b'] },
        seriesIndex: 0,
      }, {
        show: false, min: Math.min(...values), max: Math.max(...values), inRange: { color: ['#bdbdbd'] },
        seriesIndex: 1,
      }],
      tooltip: Object.assign(baseOptions().tooltip, {
        formatter: (p) => block.y_categories[p.value[1]] + ' → ' + block.x_categories[p.value[0]] + ': ' +
          formatWithUnit(p.value[2], unit),
      }),
      series: [block.cells.filter(inside), block.cells.filter((c) => !inside(c))].map((data, i) => ({
        type: 'heatmap', name: block.value.label, data: data,
        label: { show: n <= 12, formatter: (p) => formatWithUnit(p.value[2], unit), fontSize: 10 },
      })),
    });
  }

  function barOptions(block) {
    const x = block.x;
    const values = [].concat(...block.series.map((s) => s.values)).filter((v) => typeof v === 'number' && v > 0);
    const smallest = Math.min(...values, block.reference || Infinity);
    const series = block.series.map((s, i) => ({
      type: 'bar', name: s.name, data: s.values, itemStyle: { color: palette[i % palette.length] },
      label: {
        show: true, position: 'right', fontSize: 10,
        formatter: (p) => (s.texts ? s.texts[p.dataIndex] : formatWithUnit(p.value, x.unit)),
      },
    }));
    if (block.reference) {
      series[0].markLine = {
        silent: true, symbol: 'none', lineStyle: { color: '#D55E00', type: 'dashed' },
        label: { formatter: formatWithUnit(block.reference, x.unit) }, data: [{ xAxis: block.reference }],
      };
    }
    return Object.assign(baseOptions(), {
      legend: { show: block.series.length > 1, top: 0 },
      grid: { left: 20, right: 60, top: 30, bottom: 40, containLabel: true },
      xAxis: {
        type: x.log ? 'log' : 'value', name: axisTitle(x), nameLocation: 'middle', nameGap: 26,
        min: x.log ? Math.pow(10, Math.floor(Math.log10(smallest))) : 0,
        axisLabel: { formatter: (v) => formatWithUnit(v, x.unit) },
      },
      yAxis: { type: 'category', data: block.categories, inverse: true,
        axisLabel: { width: 380, overflow: 'truncate', fontSize: 11 } },
      tooltip: Object.assign(baseOptions().tooltip, {
        formatter: (p) => p.name + ' · ' + p.seriesName + ': ' +
          (block.series[p.seriesIndex].texts ? block.series[p.seriesIndex].texts[p.dataIndex]
            : formatWithUnit(p.value, x.unit)),
      }),
      series: series,
    });
  }

  function renderChart(block) {
    const figure = el('figure', 'chart');
    figure.appendChild(el('h4', null, block.title));
    const canvas = el('div', 'chart-canvas');
    canvas.dataset.chart = block.chart;
    canvas.style.height = chartHeight(block) + 'px';
    figure.appendChild(canvas);
    if (block.note) figure.appendChild(el('p', 'chart-note', block.note));
    charts.push({ block: block, container: canvas });
    return figure;
  }

  // A flame graph of run --profile's stacks, drawn by d3-flame-graph; the
  // frame under the pointer is named in a text line below it.
  function renderFlamegraph(block) {
    const figure = el('figure', 'flamegraph');
    figure.appendChild(el('h4', null, block.title));
    const canvas = el('div', 'flamegraph-canvas');
    figure.appendChild(canvas);
    const details = el('p', 'chart-note flamegraph-details');
    figure.appendChild(details);
    if (block.note) figure.appendChild(el('p', 'chart-note', block.note));
    flames.push({ block: block, container: canvas, details: details });
    return figure;
  }

  function drawFlame(flame) {
    const chart = flamegraph.default()
      .width(flame.container.clientWidth)
      .cellHeight(18)
      .minFrameSize(1)
      .transitionDuration(0)
      .sort(true)
      .setDetailsHandler((text) => { flame.details.textContent = text || ''; });
    d3.select(flame.container).datum(flame.block.root).call(chart);
    flame.drawn = true;
  }

  // A chart folded in a closed <details> has no size yet: it is drawn when opened.
  function drawVisibleCharts() {
    for (const flame of flames) {
      if (!flame.drawn && flame.container.offsetParent !== null) drawFlame(flame);
    }
    for (const chart of charts) {
      if (chart.drawn || chart.container.offsetParent === null) continue;
      const instance = echarts.init(chart.container, null, { renderer: 'canvas' });
      const block = chart.block;
      const options = block.chart === 'heatmap' ? heatmapOptions(block)
        : block.chart === 'bars' ? barOptions(block) : xyOptions(block);
      instance.setOption(options);
      chart.drawn = true;
    }
  }

  function drawCharts() {
    drawVisibleCharts();
    document.addEventListener('toggle', drawVisibleCharts, true);
    window.addEventListener('resize', () => {
      for (const chart of charts) if (chart.drawn) echarts.getInstanceByDom(chart.container).resize();
    });
  }

  // --- page ------------------------------------------------------------------

  const renderers = {
    text: renderText, warnings: renderWarnings, facts: renderFacts, table: renderTable,
    svg_image: renderSvgImage, chart: renderChart, grid: renderGrid, card: renderCard, details: renderDetails,
    pivot: renderPivot, flamegraph: renderFlamegraph,
  };

  // A link to a row folded away opens every <details> around it first.
  function revealTarget() {
    const id = decodeURIComponent(location.hash.slice(1));
    const target = id && document.getElementById(id);
    if (!target) return;
    for (let node = target.parentElement; node; node = node.parentElement) {
      if (node.tagName === 'DETAILS') node.open = true;
    }
    target.scrollIntoView();
  }

  function renderPage() {
    document.title = model.title;
    const header = el('header');
    header.appendChild(el('h1', null, model.title));
    if (model.subtitle) header.appendChild(el('p', 'subtitle', model.subtitle));
    const nav = el('nav');
    const list = el('ol');
    for (const section of model.sections) {
      const item = el('li');
      const link = el('a', null, section.heading);
      link.href = '#' + section.id;
      item.appendChild(link);
      list.appendChild(item);
    }
    nav.appendChild(list);
    header.appendChild(nav);
    page.appendChild(header);

    for (const section of model.sections) {
      const node = el('section');
      node.id = section.id;
      node.appendChild(el('h2', null, section.heading));
      page.appendChild(renderBlocks(node, section.blocks));
    }
    if (model.generator) page.appendChild(el('footer', null, model.generator));
    drawCharts();
    window.addEventListener('hashchange', revealTarget);
    revealTarget();
  }

  renderPage();
})();

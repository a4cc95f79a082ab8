import { createTheme, Table, type MantineColorsTuple } from '@mantine/core';

// System fonts only: the Content-Security-Policy allows no font CDN.
const fontFamily = 'Inter, -apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';

const brand: MantineColorsTuple = ['#e7f1ff', '#d0e0ff', '#a1bef9', '#6e9af3', '#447bee', '#2a68ec', '#1a5eec', '#0b4ed2', '#0045bd', '#003ba7'];

export const theme = createTheme({
  primaryColor: 'brand',
  colors: { brand },
  primaryShade: 6,
  fontFamily,
  headings: { fontFamily, fontWeight: '600' },
  defaultRadius: 'sm',
  cursorType: 'pointer',
  focusRing: 'auto',
  components: {
    Table: Table.extend({
      defaultProps: { verticalSpacing: 6, horizontalSpacing: 'sm', fz: 'sm', highlightOnHover: true },
    }),
  },
});

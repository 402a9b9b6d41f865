import IncentiveEngine

/// Spreadsheets in and out: Excel's CSV dialects and .xlsx files (issue 18).
public enum Sheets {}

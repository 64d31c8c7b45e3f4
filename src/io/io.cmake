# CSV input and output for the command-line tool: included from src/CMakeLists.txt.
add_library(hbayes_io STATIC
  ${CMAKE_CURRENT_LIST_DIR}/atomic_output.cpp
  ${CMAKE_CURRENT_LIST_DIR}/csv_cursor.cpp
  ${CMAKE_CURRENT_LIST_DIR}/csv_field.cpp
  ${CMAKE_CURRENT_LIST_DIR}/csv_pieces.cpp
  ${CMAKE_CURRENT_LIST_DIR}/csv_reader.cpp
  ${CMAKE_CURRENT_LIST_DIR}/line_source.cpp
  ${CMAKE_CURRENT_LIST_DIR}/number_format.cpp
  ${CMAKE_CURRENT_LIST_DIR}/parse_number.cpp
  ${CMAKE_CURRENT_LIST_DIR}/quote_value.cpp
  ${CMAKE_CURRENT_LIST_DIR}/shortest_decimal.cpp
)
# Headers are included as "io/csv_reader.hpp"; they are internal, so only the build tree sees
# them, while the installed archive still satisfies the library's link dependency.
target_include_directories(hbayes_io PUBLIC
  $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/src>
  $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>)
target_link_libraries(hbayes_io PUBLIC ZLIB::ZLIB)
target_compile_options(hbayes_io PRIVATE ${HBAYES_CXX_WARNINGS})
install(TARGETS hbayes_io EXPORT hbayesTargets)
